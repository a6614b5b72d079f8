package helper

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/99designs/keyring"

	"github.com/authwrap/authwrap/flow"
	"github.com/authwrap/authwrap/helper/internal/keyctlring"
	"github.com/authwrap/authwrap/helper/internal/keyringenv"
	"github.com/authwrap/authwrap/internal/appenv"
	"github.com/authwrap/authwrap/internal/fsutil"
	"github.com/authwrap/authwrap/internal/safetext"
	"github.com/authwrap/authwrap/internal/term"
	"github.com/authwrap/authwrap/internal/xdg"
)

// keyring's init has run by now (this package imports it): put the
// environment back as the user had it.
func init() { keyringenv.Restore() }

// Session is what authwrap keeps for a profile between runs. Its secrets
// are flow.Secret values, so printing a Session never shows them.
type Session struct {
	// Profile is the profile the session belongs to.
	Profile string
	// Server is the server that issued the session; a session from
	// another server is not used.
	Server string
	// ClientID is the client the session was issued to.
	ClientID string
	// AccessToken is the bearer token.
	AccessToken flow.Secret
	// RefreshToken exchanges for the next pair; it rotates on every use.
	RefreshToken flow.Secret
	// Expiry is when AccessToken stops being valid.
	Expiry time.Time
	// Issued is when the access token was issued (its iat claim, or when
	// it was received).
	Issued time.Time
	// UserID is the signed-in user's ID.
	UserID string
	// Email is the user's email address, when the server said.
	Email string
	// OrganizationID is the WorkOS organization of the session.
	OrganizationID string
	// OrganizationName is the organization's name, when the server gave
	// one (at an organization choice).
	OrganizationName string
	// Organizations are those the server offered at the organization
	// choice: names are resolved to IDs among them (a name is never sent
	// where an ID belongs).
	Organizations []flow.Organization
	// SessionID is the WorkOS session ID (the sid claim).
	SessionID string
	// Updated is when the pair was last saved.
	Updated time.Time
	// Machine marks a machine identity's session: a token from the
	// client-credentials grant, replaced by running the grant again
	// (there is no refresh token); UserID is then the application's
	// client ID, and OrganizationID the organization it acts for.
	Machine bool
}

// ValidFor reports whether the access token stays valid for at least d.
func (s *Session) ValidFor(d time.Duration) bool {
	return s != nil && !s.AccessToken.IsZero() && (s.Expiry.IsZero() || time.Until(s.Expiry) > d)
}

// Dropped reports whether the cached access token was dropped (a server
// refused it, git or docker said erase): the next use refreshes.
func (s *Session) Dropped() bool { return s.Expiry.Equal(droppedExpiry) }

// droppedExpiry is the expiry Invalidate gives a refused access token.
var droppedExpiry = time.Unix(1, 0).UTC()

// Who names the signed-in user for a person: the email, else the user
// ID, made safe to print.
func (s *Session) Who() string {
	return safetext.Inert(cmp.Or(s.Email, s.UserID, "an unnamed user"))
}

// Fresh reports whether the access token may be handed to a caller that
// needs it for minTTL: it stays valid that long, or it is as fresh as the
// server makes them (issued within the last tenth of its lifetime), which
// is the best there is when minTTL is longer than the lifetime. Without
// the second rule every call would refresh again.
func (s *Session) Fresh(minTTL time.Duration) bool {
	if s.ValidFor(minTTL) {
		return true
	}
	if !s.ValidFor(0) || s.Issued.IsZero() || s.Expiry.IsZero() {
		return false
	}
	life := s.Expiry.Sub(s.Issued)
	return life > 0 && time.Until(s.Expiry) >= life*9/10
}

// sessionFromToken builds the stored session for a fresh token.
func sessionFromToken(p Profile, t *flow.Token) *Session {
	s := &Session{
		Profile: p.Name, Server: p.Server(), ClientID: p.ClientID,
		AccessToken: t.AccessToken, RefreshToken: t.RefreshToken, Expiry: t.Expiry,
		UserID: t.Claims.Subject, OrganizationID: t.OrganizationID, SessionID: t.Claims.SessionID,
		Issued: t.Claims.IssuedAt, Updated: time.Now().UTC().Truncate(time.Second),
	}
	if s.Issued.IsZero() {
		s.Issued = s.Updated
	}
	if t.User != nil {
		s.UserID = t.User.ID
		s.Email = t.User.Email
	}
	return s
}

// record is the stored form. Short keys keep the item small: Windows
// Credential Manager refuses items over 2560 bytes.
type record struct {
	Version int       `json:"v"`
	Profile string    `json:"p"`
	Server  string    `json:"srv"`
	Client  string    `json:"cid"`
	Access  string    `json:"at"`
	Refresh string    `json:"rt,omitempty"`
	Expiry  time.Time `json:"exp,omitzero"`
	Issued  time.Time `json:"iat,omitzero"`
	User    string    `json:"uid,omitempty"`
	Email   string    `json:"em,omitempty"`
	Org     string    `json:"org,omitempty"`
	OrgName string    `json:"orgn,omitempty"`
	Orgs    string    `json:"orgs,omitempty"`
	SID     string    `json:"sid,omitempty"`
	Updated time.Time `json:"upd,omitzero"`
	Kind    string    `json:"kind,omitempty"` // kindMachine, or "" for a person's
}

// kindMachine is a machine identity's session in the stored record.
const kindMachine = "machine"

const recordVersion = 1

func encodeSession(s *Session) ([]byte, error) {
	return json.Marshal(record{
		Version: recordVersion, Profile: s.Profile, Server: s.Server, Client: s.ClientID,
		Access: s.AccessToken.Reveal(), Refresh: s.RefreshToken.Reveal(), Expiry: s.Expiry, Issued: s.Issued,
		User: s.UserID, Email: s.Email, Org: s.OrganizationID, OrgName: s.OrganizationName, Orgs: encodeOrgs(s.Organizations),
		SID: s.SessionID, Updated: s.Updated, Kind: map[bool]string{true: kindMachine}[s.Machine],
	})
}

func decodeSession(profile string, data []byte) (*Session, error) {
	var r record
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, &CorruptError{Profile: profile, Reason: "it is not a session this program wrote"}
	}
	if r.Version != recordVersion {
		return nil, &CorruptError{Profile: profile, Reason: fmt.Sprintf("it has format version %d, this version reads %d", r.Version, recordVersion)}
	}
	if r.Access == "" || r.Profile != profile {
		return nil, &CorruptError{Profile: profile, Reason: "it has no access token or belongs to another profile"}
	}
	return &Session{
		Profile: r.Profile, Server: r.Server, ClientID: r.Client,
		AccessToken: flow.Secret(r.Access), RefreshToken: flow.Secret(r.Refresh), Expiry: r.Expiry,
		Issued: r.Issued, UserID: r.User, Email: r.Email, OrganizationID: r.Org, OrganizationName: r.OrgName,
		Organizations: decodeOrgs(r.Orgs), SessionID: r.SID, Updated: r.Updated, Machine: r.Kind == kindMachine,
	}, nil
}

// encodeOrgs stores organizations as lines of ID, tab, name.
func encodeOrgs(orgs []flow.Organization) string {
	var b strings.Builder
	for _, o := range orgs {
		b.WriteString(strings.NewReplacer("\t", " ", "\n", " ").Replace(o.ID) + "\t" + strings.NewReplacer("\t", " ", "\n", " ").Replace(o.Name) + "\n")
	}
	return b.String()
}

// decodeOrgs reads what encodeOrgs wrote.
func decodeOrgs(s string) []flow.Organization {
	var orgs []flow.Organization
	for _, line := range strings.Split(strings.TrimSuffix(s, "\n"), "\n") {
		if id, name, ok := strings.Cut(line, "\t"); ok && id != "" {
			orgs = append(orgs, flow.Organization{ID: id, Name: name})
		}
	}
	return orgs
}

// ErrNoSession is returned by Store.Load when the profile has no session.
var ErrNoSession = errors.New("no stored session")

// CorruptError is returned by Store.Load for an item that cannot be
// read: truncated, from another version, or another program's.
type CorruptError struct {
	// Profile is the profile whose item is unreadable.
	Profile string
	// Reason says what is wrong with it.
	Reason string
}

// Error says what is wrong (a program says how to fix it: sign out and
// in again).
func (e *CorruptError) Error() string {
	return fmt.Sprintf("the stored session for %s is unreadable (%s)", e.Profile, e.Reason)
}

// Store keeps sessions. Implementations must be safe to use from several
// processes; the Manager serialises writers with a lock.
type Store interface {
	// Load returns the profile's session, ErrNoSession, or a *CorruptError.
	Load(profile string) (*Session, error)
	// Save replaces the profile's session.
	Save(s *Session) error
	// Delete removes the profile's session; deleting none is not an error.
	Delete(profile string) error
}

// KeyringStore is a Store on one github.com/99designs/keyring backend.
// It is safe for concurrent use; the library's backends are not all.
type KeyringStore struct {
	mu   sync.Mutex
	ring keyring.Keyring
	app  string
	// Backend is the backend in use, spelled as the keyring library does.
	Backend string
	// Probes says why the backends before it were skipped.
	Probes []Probe
}

func itemKey(profile string) string { return "session." + profile }

// Item size: Windows Credential Manager refuses items over 2560 bytes, so
// a session larger than maxItem is split into at most maxParts parts.
const (
	maxItem     = 2500
	maxParts    = 64
	partsPrefix = "parts:"
	// legacyPartsPrefix started the index items of sessions split before
	// the store named no program in them; still read.
	legacyPartsPrefix = "authwrap-parts:"
	// genMark starts every generation written since parts got it: profile
	// names cannot hold it, so "session.PROFILE.~" prefixes only that
	// profile's parts, and logout can find them without the index.
	genMark = "~"
)

// maxSessionBytes bounds a stored session: maxParts items of maxItem.
const maxSessionBytes = maxItem * maxParts

// maxIndexParts bounds the parts an index may name: a session of
// maxSessionBytes in the smallest parts a backend writes (keychainItem).
const maxIndexParts = (maxSessionBytes + keychainItem - 1) / keychainItem

// sizedRing is a backend whose items must be smaller than maxItem.
type sizedRing interface{ maxItemSize() int }

// itemLimit is the largest item the store writes on its backend.
func (k *KeyringStore) itemLimit() int {
	if r, ok := k.ring.(sizedRing); ok {
		return min(r.maxItemSize(), maxItem)
	}
	return maxItem
}

// ErrSessionTooLarge means a session is larger than a keyring may hold
// (maxSessionBytes); nothing of it was written.
var ErrSessionTooLarge = errors.New("the session is too large to store")

// partKey names part i of generation gen of a split session.
func partKey(profile, gen string, i int) string {
	return fmt.Sprintf("%s.%s.%d", itemKey(profile), gen, i)
}

// partsPrefixOf prefixes the keys of every part of profile's sessions
// written with genMark.
func partsPrefixOf(profile string) string { return itemKey(profile) + "." + genMark }

// Load implements Store.
func (k *KeyringStore) Load(profile string) (*Session, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	data, err := k.read(profile)
	if err != nil {
		return nil, err
	}
	return decodeSession(profile, data)
}

// read returns the session's bytes, joining the parts of a split one.
func (k *KeyringStore) read(profile string) ([]byte, error) {
	it, err := k.ring.Get(itemKey(profile))
	if errors.Is(err, keyring.ErrKeyNotFound) {
		return nil, ErrNoSession
	}
	if err != nil {
		return nil, fmt.Errorf("reading the %s keyring: %w", k.Backend, classify(err))
	}
	gen, n, ok := parseParts(it.Data)
	if !ok {
		return it.Data, nil
	}
	var data []byte
	for i := 1; i <= n; i++ {
		part, err := k.ring.Get(partKey(profile, gen, i))
		if err != nil {
			return nil, &CorruptError{Profile: profile, Reason: fmt.Sprintf("part %d of %d is missing", i, n)}
		}
		data = append(data, part.Data...)
	}
	return data, nil
}

// parseParts reads a split session's index item: "parts:GEN:N".
func parseParts(b []byte) (gen string, n int, ok bool) {
	rest, found := strings.CutPrefix(string(b), partsPrefix)
	if !found {
		if rest, found = strings.CutPrefix(string(b), legacyPartsPrefix); !found {
			return "", 0, false
		}
	}
	gen, count, found := strings.Cut(rest, ":")
	n, err := strconv.Atoi(count)
	if !found || err != nil || n < 1 || n > maxIndexParts {
		return "", 0, false
	}
	return gen, n, true
}

// Save implements Store. A session over maxItem bytes is written as parts
// under a new generation first, then the index item, then the old parts are
// removed: a crash at any point leaves a readable session.
//
// A save that fails removes what it wrote: every part of the new
// generation (the one whose write failed too: a backend may fail after
// writing some of it), so no piece of the new tokens stays behind to fill
// a key quota or a disk, and the session stored before is left exactly as
// it was. It never removes the old generation's parts or the index item.
// Removing is best effort; what it cannot remove is said in the error,
// and Delete finds it by its key.
func (k *KeyringStore) Save(s *Session) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	data, err := encodeSession(s)
	if err != nil {
		return err
	}
	if len(data) > maxSessionBytes {
		return fmt.Errorf("%w: %d bytes, at most %d (the server's tokens are unusually large); the session stored before is kept",
			ErrSessionTooLarge, len(data), maxSessionBytes)
	}
	old, _ := k.ring.Get(itemKey(s.Profile))
	main := data
	var written []string // the new generation's parts, to remove if the save fails
	if limit := k.itemLimit(); len(data) > limit {
		gen := newGeneration(old.Data)
		n := 0
		for off := 0; off < len(data); off += limit {
			n++
			key := partKey(s.Profile, gen, n)
			written = append(written, key)
			if err := k.set(key, data[off:min(off+limit, len(data))], s.Profile); err != nil {
				return k.undo(written, err)
			}
		}
		main = []byte(fmt.Sprintf("%s%s:%d", partsPrefix, gen, n))
	}
	if err := k.set(itemKey(s.Profile), main, s.Profile); err != nil {
		// A backend may fail after the item is in place (a step after the
		// write, an answer lost on the bus): what is stored now decides.
		it, gerr := k.ring.Get(itemKey(s.Profile))
		switch {
		case gerr == nil && bytes.Equal(it.Data, main):
			// Saved after all: the new parts are the session.
		case gerr == nil || errors.Is(gerr, keyring.ErrKeyNotFound):
			return k.undo(written, err)
		default:
			// Whether the index names the new parts is unknown: keep them
			// (a readable session before a tidy keyring).
			return err
		}
	}
	k.removeParts(s.Profile, old.Data)
	return nil
}

// newGeneration names the generation of a split session's parts: the
// time, never the generation the stored index (old) names.
func newGeneration(old []byte) string {
	oldGen, _, _ := parseParts(old)
	now := time.Now().UnixNano()
	gen := genMark + strconv.FormatInt(now, 36)
	if gen == oldGen {
		gen = genMark + strconv.FormatInt(now+1, 36)
	}
	return gen
}

// undo removes the items a failed save wrote, last first, and returns the
// save's error, saying what could not be removed.
func (k *KeyringStore) undo(keys []string, err error) error {
	left := 0
	var first error
	for _, key := range slices.Backward(keys) {
		if rerr := k.ring.Remove(key); rerr != nil && !gone(rerr) {
			if left++; first == nil {
				first = rerr
			}
		}
	}
	if left > 0 {
		return fmt.Errorf("%w (and %d parts it wrote could not be removed: %v)", err, left, first)
	}
	return err
}

func (k *KeyringStore) set(key string, data []byte, profile string) error {
	err := k.ring.Set(keyring.Item{Key: key, Data: data,
		Label: cmp.Or(k.app, defaultApp) + " session (" + profile + ")", Description: cmp.Or(k.app, defaultApp) + " OAuth session"})
	if err != nil {
		return fmt.Errorf("saving to the %s keyring: %w", k.Backend, classify(err))
	}
	return nil
}

// removeParts deletes the parts an index item points to, if it is one.
func (k *KeyringStore) removeParts(profile string, index []byte) {
	if gen, n, ok := parseParts(index); ok {
		for i := 1; i <= n; i++ {
			_ = k.ring.Remove(partKey(profile, gen, i))
		}
	}
}

// Unlock gets what the store needs from the person before a session is
// saved (the file keyring's passphrase, asked twice when the keyring is
// created), so that a sign-in asks before it shows a code. Other backends
// need nothing.
func (k *KeyringStore) Unlock() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if r, ok := k.ring.(*atomicFileRing); ok {
		if err := r.unlock(); err != nil {
			return fmt.Errorf("opening the %s keyring: %w", k.Backend, err)
		}
	}
	return nil
}

// Delete implements Store. It removes every item of the profile: the
// parts its index names, and every part any generation left behind
// (found by their key, so an unreadable or missing index leaves none).
func (k *KeyringStore) Delete(profile string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if it, err := k.ring.Get(itemKey(profile)); err == nil {
		k.removeParts(profile, it.Data)
	}
	if keys, err := k.ring.Keys(); err == nil {
		for _, key := range keys {
			if strings.HasPrefix(key, partsPrefixOf(profile)) {
				if err := k.ring.Remove(key); err != nil && !gone(err) {
					return fmt.Errorf("removing from the %s keyring: %w", k.Backend, err)
				}
			}
		}
	}
	if err := k.ring.Remove(itemKey(profile)); err != nil && !gone(err) {
		return fmt.Errorf("removing from the %s keyring: %w", k.Backend, err)
	}
	return nil
}

// DeleteAll removes every session the store holds, every profile's, by
// their keys alone: it needs nothing decrypted, so it works when the file
// keyring's passphrase is lost. It returns the items it removed. Other
// programs' items are never among them, on the Secret Service's shared
// collection too (see scopedRing).
func (k *KeyringStore) DeleteAll() (int, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	keys, err := k.ring.Keys()
	if err != nil {
		return 0, fmt.Errorf("listing the %s keyring: %w", k.Backend, err)
	}
	n := 0
	for _, key := range keys {
		if !strings.HasPrefix(key, itemKey("")) {
			continue
		}
		if err := k.ring.Remove(key); err != nil && !gone(err) {
			return n, fmt.Errorf("removing from the %s keyring: %w", k.Backend, err)
		}
		n++
	}
	return n, nil
}

// Profiles lists the profiles that have a session stored (readable or
// not), sorted, whether or not any configuration names them.
func (k *KeyringStore) Profiles() ([]string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	keys, err := k.ring.Keys()
	if err != nil {
		return nil, fmt.Errorf("listing the %s keyring: %w", k.Backend, err)
	}
	parts := map[string]bool{}
	var candidates []string
	for _, key := range keys {
		name, ok := strings.CutPrefix(key, itemKey(""))
		if !ok || strings.Contains(name, genMark) || CheckProfileName(name) != nil {
			continue
		}
		it, err := k.ring.Get(key)
		if err != nil {
			continue
		}
		if gen, n, ok := parseParts(it.Data); ok {
			for i := range n {
				parts[partKey(name, gen, i)] = true
			}
		} else if len(it.Data) == 0 || it.Data[0] != '{' {
			continue // a part of a session written before generations were marked
		}
		candidates = append(candidates, name)
	}
	var out []string
	for _, name := range candidates {
		if !parts[itemKey(name)] {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out, nil
}

// gone reports whether err means the item was not there to remove.
func gone(err error) bool { return errors.Is(err, keyring.ErrKeyNotFound) || os.IsNotExist(err) }

// Probe is the outcome of trying one backend.
type Probe struct {
	// Backend is the backend tried, spelled as the keyring library does.
	Backend string `json:"backend"`
	// Used is true for the backend chosen.
	Used bool `json:"used"`
	// Reason says why it was chosen or skipped.
	Reason string `json:"reason,omitempty"`
}

// Backends lists the backends authwrap knows, in the order it tries them
// on this system when none is named.
func Backends() []string { return backendsFor(runtime.GOOS) }

// backendsFor is Backends on the system goos.
func backendsFor(goos string) []string {
	switch goos {
	case "darwin":
		return []string{string(keyring.KeychainBackend), string(keyring.FileBackend)}
	case "windows":
		return []string{string(keyring.WinCredBackend), string(keyring.FileBackend)}
	}
	return []string{string(keyring.KeyCtlBackend), string(keyring.SecretServiceBackend),
		string(keyring.PassBackend), string(keyring.FileBackend)}
}

// defaultApp names the program in a Manager or store not built by New
// or OpenStore (a zero value), which require a name.
const defaultApp = "authwrap"

// checkApp holds a program's name, which names its directories,
// variables and keyring items: given, and a plain name.
func checkApp(app string) error {
	if app == "" {
		return errors.New("no app name: set Options.App (StoreOptions.App) to the program's name")
	}
	if err := CheckProfileName(app); err != nil {
		return fmt.Errorf("bad app name: %w", err)
	}
	return nil
}

// StoreOptions configure OpenStore.
type StoreOptions struct {
	// App names the keyring service, the Secret Service items, the file
	// keyring's directory and its variables (APP_FILE_PASSPHRASE,
	// APP_FILE_DIR). Required.
	App string
	// Backend names one backend; empty means probe Backends() in order.
	Backend string
	// FileDir is the file backend's directory (default APP_FILE_DIR,
	// else $XDG_DATA_HOME/APP/keyring).
	FileDir string
	// Passphrase returns the file backend's password; the default reads
	// APP_FILE_PASSPHRASE or asks on the controlling terminal (/dev/tty,
	// even when the program's streams are pipes; Ctrl-C there ends the
	// question with ErrInterrupted), else fails with ErrNoPassphrase.
	// Options.NoPrompt does not reach it: a program that must never ask
	// passes a function that returns ErrNoPassphrase. New takes
	// APP_FILE_PASSPHRASE out of the environment, so a function of the
	// program's cannot read it there after New: read it before.
	Passphrase func(prompt string) (string, error)
}

// ErrFileDirRelative is returned by OpenStore when APP_FILE_DIR (the
// variable that moves the file keyring, AUTHWRAP_FILE_DIR for authwrap)
// is set to a relative path, whatever the backend: the file keyring would
// land in whatever directory the program runs in (git and docker start
// helpers anywhere), so nothing is opened or written.
var ErrFileDirRelative = errors.New("the file keyring's directory must be an absolute path")

// ErrNoBackend means no keyring backend could be opened.
var ErrNoBackend = errors.New("no usable keyring backend")

// OpenStore opens the named backend, or the first backend of Backends()
// that works here. It never lets the keyring library choose by itself.
func OpenStore(o StoreOptions) (*KeyringStore, error) {
	if err := checkApp(o.App); err != nil {
		return nil, err
	}
	if o.FileDir == "" {
		v := appenv.FileDirVar(o.App)
		switch d := os.Getenv(v); {
		case d != "" && !filepath.IsAbs(d):
			return nil, fmt.Errorf("%w: %s is %q, which would put the file keyring in whatever directory %s runs in; set it to an absolute path (~ is not expanded), or unset it for the default $XDG_DATA_HOME/%s/keyring",
				ErrFileDirRelative, v, safetext.Inert(d), o.App, o.App)
		case d != "":
			o.FileDir = d
		default:
			o.FileDir = xdg.DataDir(o.App)
		}
	}
	if o.Passphrase == nil {
		app := o.App
		o.Passphrase = func(prompt string) (string, error) { return filePassphrase(app, prompt) }
	}
	known := map[string]bool{}
	for _, b := range append(Backends(), string(keyring.KeyCtlBackend), string(keyring.SecretServiceBackend), string(keyring.PassBackend)) {
		known[b] = true
	}
	if o.Backend != "" {
		if !known[o.Backend] {
			return nil, fmt.Errorf("%w: unknown keyring backend %q (known here: %v)", ErrNoBackend, o.Backend, Backends())
		}
		if why := precheck(o.Backend); why != "" {
			return nil, fmt.Errorf("%w: %s: %s", ErrNoBackend, o.Backend, why)
		}
		ring, err := openBackend(o.Backend, o)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrNoBackend, o.Backend, err)
		}
		return &KeyringStore{ring: ring, app: o.App, Backend: o.Backend,
			Probes: []Probe{{Backend: o.Backend, Used: true, Reason: "named explicitly"}}}, nil
	}
	var probes []Probe
	for _, b := range Backends() {
		if why := precheck(b); why != "" {
			probes = append(probes, Probe{Backend: b, Reason: why})
			continue
		}
		ring, err := openBackend(b, o)
		if err != nil {
			probes = append(probes, Probe{Backend: b, Reason: err.Error()})
			continue
		}
		probes = append(probes, Probe{Backend: b, Used: true, Reason: "first in the order that works here"})
		return &KeyringStore{ring: ring, app: o.App, Backend: b, Probes: probes}, nil
	}
	return nil, fmt.Errorf("%w: %v", ErrNoBackend, probes)
}

// precheck rules a backend out cheaply, before opening it, where opening
// would start a daemon, hang on a wizard or fail confusingly.
func precheck(b string) string {
	switch keyring.BackendType(b) {
	case keyring.SecretServiceBackend:
		if !keyringenv.SessionBusLikely() {
			return "no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is unset and there is no $XDG_RUNTIME_DIR/bus)"
		}
	case keyring.PassBackend:
		dir := os.Getenv("PASSWORD_STORE_DIR")
		if dir == "" {
			home, _ := os.UserHomeDir()
			dir = filepath.Join(home, ".password-store")
		}
		if _, err := os.Stat(filepath.Join(dir, ".gpg-id")); err != nil {
			return "pass is not initialised (no " + filepath.Join(dir, ".gpg-id") + ")"
		}
	}
	return ""
}

// keyctlPerm lets the possessor and every later process of the same user
// view, read, write, search, link and set attributes on authwrap's keys.
const keyctlPerm = 0x3f3f0000

func openBackend(b string, o StoreOptions) (keyring.Keyring, error) {
	cfg := keyring.Config{
		AllowedBackends:         []keyring.BackendType{keyring.BackendType(b)},
		ServiceName:             o.App,
		KeyCtlScope:             "user",
		KeyCtlPerm:              keyctlPerm,
		LibSecretCollectionName: "login",
		PassPrefix:              o.App,
		FileDir:                 o.FileDir,
		FilePasswordFunc:        o.Passphrase,
	}
	switch b {
	case string(keyring.FileBackend):
		if err := fsutil.PrivateDir(o.FileDir); err != nil {
			return nil, err
		}
		return openFileRing(cfg)
	case string(keyring.KeychainBackend):
		// The keychain through /usr/bin/security, with or without cgo.
		r := newSecurityRing(o.App)
		if err := r.probe(); err != nil {
			return nil, err
		}
		return r, nil
	}
	// Opening can succeed where use fails (keyctl under a seccomp profile,
	// a locked secret service): open and list the keys.
	probe := func() (keyring.Keyring, error) {
		ring, err := keyring.Open(cfg)
		if err == nil {
			if _, kerr := ring.Keys(); kerr != nil {
				err = fmt.Errorf("probe failed: %v", kerr)
			}
		}
		if err == nil && b == string(keyring.KeyCtlBackend) {
			// A write the key quota stops leaves nothing behind.
			ring, err = keyctlring.Wrap(ring, cfg.ServiceName, cfg.KeyCtlPerm)
		}
		if err == nil && b == string(keyring.SecretServiceBackend) {
			// The "login" collection is every program's: name ours.
			ring = newScopedRing(ring, o.App)
		}
		return ring, err
	}
	if !overBus(b) {
		// System calls or files answer at once; a goroutine and a timer
		// would only add a thread to every cached read.
		return probe()
	}
	// A bus can make a caller wait for a service that never starts:
	// wait within a bound.
	type result struct {
		ring keyring.Keyring
		err  error
	}
	res := make(chan result, 1)
	go func() {
		ring, err := probe()
		res <- result{ring, err}
	}()
	t := time.NewTimer(probeTimeout)
	defer t.Stop()
	select {
	case r := <-res:
		return r.ring, r.err
	case <-t.C:
		return nil, fmt.Errorf("no answer within %s", probeTimeout)
	}
}

// overBus reports whether backend b is a service reached over D-Bus,
// which may be slow to answer or never answer.
func overBus(b string) bool {
	switch keyring.BackendType(b) {
	case keyring.SecretServiceBackend, keyring.KWalletBackend:
		return true
	}
	return false
}

// probeTimeout bounds opening a keyring backend.
const probeTimeout = 3 * time.Second

// ErrNoPassphrase means the file backend needs a passphrase and there is
// neither APP_FILE_PASSPHRASE (AUTHWRAP_FILE_PASSPHRASE for authwrap) nor
// a terminal to ask on.
var ErrNoPassphrase = errors.New("the file keyring needs a passphrase")

// filePassphrase reads APP_FILE_PASSPHRASE (or what New took of it out of
// the environment), or asks on the console. It never touches stdin or
// stdout, which may carry a protocol.
func filePassphrase(app, prompt string) (string, error) {
	v := appenv.PassphraseVar(app)
	if p := appenv.Lookup(v); p != "" {
		return p, nil
	}
	c, err := term.OpenConsole()
	if err != nil {
		return "", fmt.Errorf("%w: set %s or run on a terminal", ErrNoPassphrase, v)
	}
	defer c.Close()
	return askPassphrase(c, app, prompt)
}

// ErrPassphraseMismatch means the two passphrases typed to create the
// file keyring differ.
var ErrPassphraseMismatch = errors.New("the two passphrases differ; nothing was stored")

// ErrInterrupted means a signal (Ctrl-C, SIGTERM, SIGHUP) ended a wait
// for the person, such as the file keyring's passphrase prompt.
var ErrInterrupted = term.ErrInterrupted

// errEmptyPassphrase means the person entered nothing at the passphrase
// prompt.
var errEmptyPassphrase = errors.New("no passphrase was entered for the file keyring")

// ErrWrongPassphrase means the file keyring's passphrase does not open
// the stored session.
var ErrWrongPassphrase = errors.New("the passphrase does not open the file keyring")
