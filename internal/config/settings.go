package config

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/authwrap/authwrap/flow"
	"github.com/authwrap/authwrap/helper"
	"github.com/authwrap/authwrap/internal/fsutil"
	"github.com/authwrap/authwrap/internal/tomledit"
)

// ErrUnknownSetting means a key `authwrap config` does not know.
var ErrUnknownSetting = errors.New("unknown setting")

// Setting is one key `authwrap config` reads and writes.
type Setting struct {
	// Key is its name in the file.
	Key string
	// Global: a top-level setting; else one of a profile's.
	Global bool
	// What it is, for help and errors.
	What string
	kind kind
	// excludes is the key it replaces (api_url and issuer).
	excludes string
}

type kind int

const (
	text kind = iota
	serverURL
	list
	hostList
	boolean
	profileName
	backend
	duration
	secretFile
)

// Keys are the settings of the file, in the order `config list` shows
// them.
var Keys = []Setting{
	{Key: "default_profile", Global: true, What: "the profile used when none is named", kind: profileName},
	{Key: "keyring_backend", Global: true, What: "the storage backend (" + strings.Join(helper.Backends(), ", ") + ")", kind: backend},
	{Key: "client_id", What: "the AuthKit client ID (WorkOS dashboard: Applications, with CLI Auth enabled)"},
	{Key: "api_url", What: "the WorkOS API URL for User Management sign-in", kind: serverURL, excludes: "issuer"},
	{Key: "issuer", What: "the issuer URL of a standard RFC 8628 server (instead of api_url)", kind: serverURL, excludes: "api_url"},
	{Key: "scopes", What: "scopes for a standard server, separated by spaces or commas", kind: list},
	{Key: "organization", What: "the WorkOS organization to sign in to (its ID, or a name)"},
	{Key: "hosts", What: "the hosts that may receive the token, separated by spaces or commas (setup adds them)", kind: hostList},
	{Key: "username", What: "the username sent with the token (default " + DefaultUsername + ")"},
	{Key: "bearer", What: "true: answer git 2.46+ with a Bearer credential", kind: boolean},
	{Key: "keep_warm", What: "how long a background process keeps the session fresh after its last use (default 30m; 0 turns it off)", kind: duration},
	{Key: "min_ttl", What: "how long a token handed to a tool must stay valid, else it is refreshed first (default 1m)", kind: duration},
	{Key: "client_secret_file", What: "a file (absolute path, mode 0600) holding the client secret of a WorkOS M2M application: the profile is then a machine identity", kind: secretFile},
}

// FindSetting returns the setting named key, or ErrUnknownSetting with
// the keys there are.
func FindSetting(key string) (Setting, error) {
	if key == "client_secret" {
		return Setting{}, ErrSecretSetting
	}
	for _, s := range Keys {
		if s.Key == key {
			return s, nil
		}
	}
	keys := make([]string, len(Keys))
	for i, s := range Keys {
		keys[i] = s.Key
	}
	return Setting{}, fmt.Errorf("%w %.40q: the settings are %s", ErrUnknownSetting, key, strings.Join(keys, ", "))
}

// ErrSecretSetting means a client secret was given as a setting: it is
// never kept in the configuration file.
var ErrSecretSetting = errors.New("client_secret is never kept in the configuration file: export AUTHWRAP_CLIENT_SECRET from your CI's secret store, or write the secret to a file only you can read and set client_secret_file to its path")

// value checks a value given for s and returns it as TOML.
func (s Setting) value(v string) (string, error) {
	switch s.kind {
	case serverURL:
		if err := flow.CheckURL(v); err != nil {
			return "", fmt.Errorf("%s: %w", s.Key, err)
		}
	case list, hostList:
		items := strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' })
		if s.kind == hostList {
			for _, h := range items {
				if err := checkHost(h); err != nil {
					return "", fmt.Errorf("hosts: %w", err)
				}
			}
		}
		return tomledit.Strings(items), nil
	case boolean:
		b, err := strconv.ParseBool(v)
		if err != nil {
			return "", fmt.Errorf("%s: %.20q is not true or false", s.Key, v)
		}
		return strconv.FormatBool(b), nil
	case profileName:
		if err := helper.CheckProfileName(v); err != nil {
			return "", err
		}
	case duration:
		if _, err := parseDuration(v, 0); err != nil && v != "" {
			return "", fmt.Errorf("%s: %w", s.Key, err)
		}
	case secretFile:
		if !filepath.IsAbs(v) {
			return "", fmt.Errorf("client_secret_file: %.80q is not an absolute path", v)
		}
	case backend:
		if !slices.Contains(helper.Backends(), v) {
			return "", fmt.Errorf("keyring_backend: %.20q is not one of %s", v, strings.Join(helper.Backends(), ", "))
		}
	}
	if v == "" {
		return "", fmt.Errorf("%s: an empty value (use `config unset %s`)", s.Key, s.Key)
	}
	return tomledit.String(v), nil
}

// Set writes key = value into the file at path: a global setting at the
// top, a profile's in [profiles.PROFILE] (created when missing). The
// file's comments and layout are kept; it is replaced atomically and read
// back. changed is false when it already said so.
func Set(path, profile, key, value string) (changed bool, err error) {
	s, err := FindSetting(key)
	if err != nil {
		return false, err
	}
	v, err := s.value(value)
	if err != nil {
		return false, err
	}
	return edit(path, func(doc *tomledit.Doc) error {
		table := s.table(doc, profile, true)
		doc.Set(table, s.Key, v)
		if s.excludes != "" {
			doc.Drop(table, s.excludes)
		}
		return nil
	})
}

// Unset removes key from the file (a global setting, or the profile's).
func Unset(path, profile, key string) (changed bool, err error) {
	s, err := FindSetting(key)
	if err != nil {
		return false, err
	}
	return edit(path, func(doc *tomledit.Doc) error {
		if table := s.table(doc, profile, false); table >= -1 {
			doc.Drop(table, s.Key)
		}
		return nil
	})
}

// table is the line of the setting's table (-1: the top of the file),
// or -2 when the profile has none and create is false.
func (s Setting) table(doc *tomledit.Doc, profile string, create bool) int {
	if s.Global {
		return -1
	}
	if at := doc.Tables("profiles", profile); len(at) > 0 {
		return at[0]
	}
	if !create {
		return -2
	}
	return doc.AddTable("profiles." + tomledit.String(profile))
}

// Get returns a setting's value as `config get` prints it (lists joined
// by spaces), and whether it is set.
func (c *Config) Get(profile, key string) (string, bool, error) {
	s, err := FindSetting(key)
	if err != nil {
		return "", false, err
	}
	if s.Global {
		v := map[string]string{"default_profile": c.DefaultProfile, "keyring_backend": c.KeyringBackend}[key]
		return v, v != "", nil
	}
	e := c.Profiles[profile]
	if e == nil {
		return "", false, nil
	}
	var v string
	switch key {
	case "client_id":
		v = e.ClientID
	case "api_url":
		v = e.APIURL
	case "issuer":
		v = e.Issuer
	case "scopes":
		v = strings.Join(e.Scopes, " ")
	case "organization":
		v = e.Organization
	case "hosts":
		v = strings.Join(e.Hosts, " ")
	case "username":
		v = e.Username
	case "bearer":
		if e.Bearer {
			v = "true"
		}
	case "keep_warm":
		v = e.KeepWarm
	case "min_ttl":
		v = e.MinTTL
	case "client_secret_file":
		v = e.ClientSecretFile
	}
	return v, v != "", nil
}

// edit applies change to the file at path (an empty one when missing),
// writes it atomically when it changed, and reads it back: a result that
// does not load puts the old file back.
func edit(path string, change func(doc *tomledit.Doc) error) (changed bool, err error) {
	data, err := fsutil.ReadTrusted(path)
	if errors.Is(err, fsutil.ErrUntrusted) {
		return false, fmt.Errorf("%w: %w", ErrConfig, err)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, err
	}
	if _, err := parse(path, data); err != nil {
		return false, err
	}
	doc := tomledit.Parse(data)
	if err := change(doc); err != nil {
		return false, err
	}
	out := doc.Bytes()
	if string(out) == string(data) {
		return false, nil
	}
	if err := fsutil.WriteAtomic(path, out); err != nil {
		return false, err
	}
	if _, err := Load(path); err != nil {
		_ = fsutil.WriteAtomic(path, data) // put the old file back
		return false, fmt.Errorf("editing %s went wrong, left it as it was: %w", path, err)
	}
	return true, nil
}

// hostName is what a host[:port] in a profile may hold: a name or an
// address, and a port.
// Compiled on first use: nothing runs at start-up that a run may not need.
var hostName = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(:[0-9]{1,5})?$`)
})

// checkHost refuses a hosts entry that could never match a request: a
// host[:port], or a URL (plain http to a loopback host, as setup writes).
func checkHost(h string) error {
	if strings.Contains(h, "://") {
		return flow.CheckURL(h)
	}
	if !hostName().MatchString(h) {
		return fmt.Errorf("%.80q is not a host[:port]", h)
	}
	return nil
}
