package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/authwrap/authwrap/helper"
	"github.com/authwrap/authwrap/internal/config"
	"github.com/authwrap/authwrap/internal/safetext"
	"github.com/authwrap/authwrap/internal/term"
)

// LoginCmd signs in.
type LoginCmd struct {
	NoBrowser    bool   `name:"no-browser" help:"Do not open a browser; just print the URL and code."`
	NoQR         bool   `name:"no-qr" help:"Do not draw the QR code (it is drawn only on a terminal)."`
	Force        bool   `help:"Replace a stored session without asking."`
	Organization string `help:"Sign in to this WorkOS organization: its ID, or a name only one of the user's organizations has (default: the profile's organization setting, else a menu on the terminal)."`
}

// Run signs in afresh and reports who is signed in.
func (c *LoginCmd) Run(ctx context.Context, g *Globals) error {
	g.mayCreateConfig = true // the settings given are saved there
	m, _, err := g.setup()
	if err != nil {
		return err
	}
	if c.Organization != "" {
		// Chosen before anything is stored: a sign-in that cannot land
		// there stores nothing.
		m.Profile.Organization = c.Organization
	}
	p, release := g.loginPrompter(!c.NoBrowser)
	defer release()
	p.QR = p.QR && !c.NoQR
	if err := c.confirmReplace(ctx, g, m, p); errors.Is(err, errKept) {
		return nil
	} else if err != nil {
		return err
	}
	m.Prompter = p
	s, err := m.Login(ctx)
	if err != nil {
		return err
	}
	if s.Machine {
		fmt.Fprintf(g.stderr, "authwrap: got a token for %s as machine identity %s%s; it is stored in %s\n",
			s.Profile, s.Who(), orgSuffix(s), storeName(m))
	} else {
		fmt.Fprintf(g.stderr, "authwrap: signed in to %s as %s%s; the session is stored in %s\n",
			s.Profile, s.Who(), orgSuffix(s), storeName(m))
	}
	if ks, ok := m.Store.(*helper.KeyringStore); ok && ks.Backend == "keyctl" {
		fmt.Fprintln(g.stderr, "authwrap: note: the kernel keyring (keyctl) forgets the session when the machine restarts; `authwrap config set keyring_backend file` keeps it on disk, encrypted")
	}
	return g.saveGivenSettings(s.Profile)
}

// saveGivenSettings saves the profile settings given as flags on this
// command line (--client-id, --api-url, --issuer, --scopes) into the
// profile, creating it, and --keyring-backend as the global setting, as
// setup does: what login signed in with is what
// every later command uses. The environment's are never saved.
func (g *Globals) saveGivenSettings(profile string) error {
	if err := g.saveGivenBackend(profile); err != nil {
		return fmt.Errorf("signed in, but the settings could not be saved: %w", err)
	}
	if g.givenSettingNames() == "" {
		return nil
	}
	changed, err := config.SetHost(g.configPath(), profile, g.explicitSettings(), "", false)
	if err != nil {
		return fmt.Errorf("signed in, but the settings could not be saved: %w", err)
	}
	if changed {
		fmt.Fprintf(g.stderr, "authwrap: saved the settings given (%s) in profile %s (%s)\n", g.givenSettingNames(), profile, g.configPath())
	}
	return nil
}

// givenSettingNames lists the settings given as flags, as config names them.
func (g *Globals) givenSettingNames() string {
	var names []string
	for _, f := range []string{"client-id", "api-url", "issuer", "scopes"} {
		if g.given[f] {
			names = append(names, strings.ReplaceAll(f, "-", "_"))
		}
	}
	return strings.Join(names, ", ")
}

// confirmReplace says when login will replace a stored session, and on a
// terminal asks first (unless --force).
func (c *LoginCmd) confirmReplace(ctx context.Context, g *Globals, m *helper.Manager, p *helper.TerminalPrompter) error {
	s, err := m.Load()
	if err != nil || (!s.ValidFor(0) && s.RefreshToken.IsZero()) || m.Profile.Machine() {
		return nil // nothing usable to replace, or a machine's token, replaced without a word
	}
	if c.Force || p.Input == nil {
		fmt.Fprintf(g.stderr, "authwrap: replacing the session of %s (signed in as %s%s)\n", m.Profile.Name, s.Who(), orgSuffix(s))
		return nil
	}
	line, err := term.Ask(ctx, p.Input, p.Out, fmt.Sprintf("authwrap: %s is signed in as %s%s; sign in again and replace that session? [y/N] ",
		m.Profile.Name, s.Who(), orgSuffix(s)))
	if err != nil {
		fmt.Fprintln(p.Out)
		if !errors.Is(err, io.EOF) { // Ctrl-D: no answer, so no
			return err
		}
	}
	if a := strings.ToLower(strings.TrimSpace(line)); a != "y" && a != "yes" {
		// The answer asked for, not a failure: nothing changed.
		fmt.Fprintf(p.Out, "authwrap: kept the session of %s (signed in as %s); answer y, or pass --force, to replace it\n", m.Profile.Name, s.Who())
		return errKept
	}
	return nil
}

// errKept is confirmReplace's "no": login ends at once, with status 0.
var errKept = errors.New("kept the session")

func orgSuffix(s *helper.Session) string {
	if s.OrganizationID == "" {
		return ""
	}
	if s.OrganizationName != "" && s.OrganizationName != s.OrganizationID {
		return " (organization " + safetext.Inert(s.OrganizationName) + ", " + safetext.Inert(s.OrganizationID) + ")"
	}
	return " (organization " + safetext.Inert(s.OrganizationID) + ")"
}

// orgLabel names an organization for a person: "Name (ID)", or the ID
// when the server gave no name.
func orgLabel(name, id string) string {
	if name == "" || name == id {
		return id
	}
	return name + " (" + id + ")"
}

func storeName(m *helper.Manager) string {
	if ks, ok := m.Store.(*helper.KeyringStore); ok {
		return "the " + ks.Backend + " keyring"
	}
	return "the store"
}

// TokenCmd prints a valid access token.
type TokenCmd struct {
	MinTTL time.Duration `name:"min-ttl" default:"30s" help:"Refresh first when the token expires within this long."`
	JSON   bool          `name:"json" help:"Print {\"token\", \"expires_at\", \"profile\"} as JSON instead of the bare token."`
}

// Run prints the token alone on stdout.
func (c *TokenCmd) Run(ctx context.Context, g *Globals) error {
	if c.MinTTL < 0 {
		return fmt.Errorf("--min-ttl must not be negative")
	}
	m, _, err := g.setup()
	if err != nil {
		return err
	}
	s, release, err := g.tokenOnDemand(ctx, m, c.MinTTL, true)
	if err != nil {
		return err
	}
	release()
	g.warnUnmetMinTTL(c.MinTTL, s)
	if c.JSON {
		return safetext.NewJSONEncoder(g.stdout).Encode(struct {
			Token     string    `json:"token"`
			ExpiresAt time.Time `json:"expires_at"`
			Profile   string    `json:"profile"`
		}{s.AccessToken.Reveal(), s.Expiry.UTC(), s.Profile})
	}
	_, err = io.WriteString(g.stdout, s.AccessToken.Reveal()+"\n")
	return err
}

// SwitchOrgCmd switches the session's organization.
type SwitchOrgCmd struct {
	Organization string `arg:"" help:"The organization: its ID (org_...), or the name of one the server offered at sign-in."`
}

// Run refreshes the session into the organization and reports it.
func (c *SwitchOrgCmd) Run(ctx context.Context, g *Globals) error {
	m, _, err := g.setup()
	if err != nil {
		return err
	}
	s, err := m.SwitchOrganization(ctx, c.Organization)
	if err != nil {
		return err
	}
	fmt.Fprintf(g.stderr, "authwrap: %s is now in organization %s\n", s.Profile, safetext.Inert(orgLabel(s.OrganizationName, s.OrganizationID)))
	return nil
}

// StatusCmd shows the session.
type StatusCmd struct {
	JSON bool `name:"json" help:"Print the status as JSON: a list with one object per profile shown (one without --all)."`
	All  bool `name:"all" help:"Show every profile: those in the configuration and those with a stored session."`
}

// status is what `authwrap status` shows; it never holds a secret.
type status struct {
	Profile  string `json:"profile"`
	Server   string `json:"server"`
	Flavour  string `json:"flavour"`
	ClientID string `json:"client_id"`
	SignedIn bool   `json:"signed_in"`
	Problem  string `json:"problem,omitempty"`
	// Unreadable: the keyring would not give the session out (locked,
	// unreachable), so whether there is one is unknown.
	Unreadable       bool   `json:"unreadable,omitempty"`
	User             string `json:"user,omitempty"`
	Email            string `json:"email,omitempty"`
	OrganizationID   string `json:"organization_id,omitempty"`
	OrganizationName string `json:"organization_name,omitempty"`
	// Dropped: the access token was refused and dropped; the next use
	// refreshes.
	Dropped     bool       `json:"dropped,omitempty"`
	SessionID   string     `json:"session_id,omitempty"`
	Expires     *time.Time `json:"expires_at,omitempty"`
	Expired     bool       `json:"expired"`
	Token       string     `json:"token,omitempty"`
	Refreshable bool       `json:"refreshable"`
	// Machine: the profile is a machine identity (an M2M application).
	Machine bool           `json:"machine,omitempty"`
	Storage string         `json:"storage"`
	Probes  []helper.Probe `json:"storage_probes"`
	// KeptFreshUntil: a keeper refreshes the session ahead of use until
	// then (unless it is used again); KeeperPID is its process.
	KeptFreshUntil *time.Time `json:"kept_fresh_until,omitempty"`
	KeeperPID      int        `json:"keeper_pid,omitempty"`
	// KeepWarmOff says why no keeper may run for the profile.
	KeepWarmOff string `json:"keep_warm_off,omitempty"`
	// RefreshFailed is the last refresh that failed since the session
	// last refreshed: when, and what failed.
	RefreshFailed *refreshFailed `json:"last_refresh_failure,omitempty"`
}

// refreshFailed is helper.RefreshFailure as status shows it.
type refreshFailed struct {
	At     time.Time `json:"at"`
	Reason string    `json:"reason"`
}

// Run prints the status; exit 1 when a profile shown is not signed in.
func (c *StatusCmd) Run(g *Globals) error {
	cfg, err := g.loadConfig()
	if err != nil {
		return err
	}
	store, err := g.openStore(cfg)
	if err != nil {
		return err
	}
	names := []string{""} // the chosen profile
	if c.All {
		names = g.allProfiles(cfg, store)
	}
	var all []status
	var problems []error
	for _, name := range names {
		e, err := g.resolve(cfg, name)
		if err != nil && c.All {
			// A profile that cannot be used (no client ID; a session
			// stored under a name the configuration lacks) is shown with
			// why and what its session says; the others are still shown.
			st := status{Profile: name, Problem: g.explain(err), Storage: store.Backend, Probes: store.Probes}
			if s, lerr := store.Load(name); lerr == nil {
				st.Server, st.ClientID, st.User, st.Email = s.Server, s.ClientID, s.UserID, s.Email
				st.Flavour = "not configured"
			}
			all = append(all, st)
			problems = append(problems, err)
			continue
		}
		if err != nil {
			return err
		}
		m, err := g.manager(e, store, nil)
		if err != nil {
			return err
		}
		st, err := buildStatus(m, store)
		if err != nil {
			st.Problem = g.explain(err)
		}
		if _, why := keepWarm(e, store); st.Refreshable && why != "" {
			st.KeepWarmOff = why
		}
		all = append(all, st)
		if err != nil {
			problems = append(problems, err)
		}
	}
	if c.JSON {
		// A hostile server's user and organization fields come out as
		// \u escapes, never as raw controls.
		enc := safetext.NewJSONEncoder(g.stdout)
		enc.SetIndent("", "  ")
		// One shape with and without --all: a list of profiles.
		if err := enc.Encode(all); err != nil {
			return err
		}
	} else {
		for i, st := range all {
			if i > 0 {
				fmt.Fprintln(g.stdout)
			}
			printStatus(g.stdout, st)
		}
	}
	switch len(problems) {
	case 0:
		return nil
	case 1:
		return &exitError{code: 1, err: problems[0]}
	}
	msgs := make([]string, len(problems))
	for i, p := range problems {
		msgs[i] = p.Error()
	}
	return &exitError{code: 1, err: errors.New(strings.Join(msgs, "; "))}
}

// allProfiles lists the profiles status --all shows: every one the
// configuration names and every one with a stored session, sorted (the
// chosen one when there are none).
func (g *Globals) allProfiles(cfg *config.Config, store *helper.KeyringStore) []string {
	seen := map[string]bool{}
	for _, e := range cfg.Entries("") {
		seen[e.Name] = true
	}
	if stored, err := store.Profiles(); err == nil {
		for _, name := range stored {
			seen[name] = true
		}
	}
	if len(seen) == 0 {
		return []string{""}
	}
	names := make([]string, 0, len(seen))
	for name := range seen {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// buildStatus reads the profile's session into a status; the error is why it
// is not signed in (no session, unreadable, foreign), nil when it is.
func buildStatus(m *helper.Manager, store *helper.KeyringStore) (status, error) {
	p := m.Profile
	st := status{Profile: p.Name, Server: p.Server(), Flavour: p.Flavour().String(), ClientID: p.ClientID,
		Storage: store.Backend, Probes: store.Probes, Machine: p.Machine()}
	s, err := m.Load()
	if err != nil {
		st.Problem = err.Error()
		var ce *helper.CorruptError
		st.Unreadable = !errors.Is(err, helper.ErrNotSignedIn) && !errors.As(err, &ce)
		return st, err
	}
	exp := s.Expiry.UTC()
	st.SignedIn = true
	st.User, st.Email, st.OrganizationID, st.SessionID = s.UserID, s.Email, s.OrganizationID, s.SessionID
	st.OrganizationName, st.Dropped = s.OrganizationName, s.Dropped()
	st.Expires = &exp
	st.Expired = !s.ValidFor(0)
	st.Token = s.AccessToken.Masked()
	st.Refreshable = !s.RefreshToken.IsZero()
	st.Machine = st.Machine || s.Machine
	if f, ok := m.LastRefreshFailure(); ok && st.Refreshable {
		st.RefreshFailed = &refreshFailed{At: f.At.UTC(), Reason: f.Reason}
	}
	// A keeper that runs is shown whatever the settings say now: it was
	// started with those of its time.
	if k := m.Keeper(); k.Running {
		st.KeeperPID = k.PID
		if !k.Until.IsZero() {
			until := k.Until.UTC().Truncate(time.Second)
			st.KeptFreshUntil = &until
		}
	}
	return st, nil
}

func printStatus(w io.Writer, st status) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(tw, "%s:\t%s\n", k, safetext.Inert(v))
		}
	}
	row("profile", st.Profile)
	if st.Server != "" {
		row("server", st.Server+" ("+st.Flavour+")")
	}
	row("client", st.ClientID)
	if st.Machine {
		row("identity", "machine (an M2M application: tokens from the client-credentials grant, no person)")
	}
	if st.Server == "" && st.Problem != "" {
		row("problem", st.Problem)
	}
	if !st.SignedIn && st.Unreadable {
		row("signed in", "unknown (the keyring could not be read)")
	} else if !st.SignedIn {
		row("signed in", "no")
	} else {
		user := st.Email
		if user == "" {
			user = st.User
		} else if st.User != "" {
			user += " (" + st.User + ")"
		}
		row("user", user)
		row("organization", orgLabel(st.OrganizationName, st.OrganizationID))
		row("session", st.SessionID)
		row("access token", st.Token)
		row("expires", expiryText(st))
		row("kept fresh", keptFreshText(st))
	}
	storage := st.Storage
	if len(st.Probes) > 0 && st.Probes[len(st.Probes)-1].Reason != "" {
		storage += " (" + st.Probes[len(st.Probes)-1].Reason + "; order: " + strings.Join(helper.Backends(), ", ") + ")"
	}
	row("storage", storage)
	for _, pr := range st.Probes {
		if !pr.Used {
			row("  skipped "+pr.Backend, pr.Reason)
		}
	}
	_ = tw.Flush()
}

// keptFreshText says whether a keeper refreshes the session ahead of use.
func keptFreshText(st status) string {
	switch {
	case st.KeptFreshUntil != nil || st.KeeperPID != 0:
		text := "yes"
		if st.KeptFreshUntil != nil {
			text = "until " + st.KeptFreshUntil.UTC().Format(time.RFC3339) + " unless used again"
		}
		if st.KeeperPID != 0 {
			text += fmt.Sprintf(" (process %d)", st.KeeperPID)
		}
		if st.RefreshFailed != nil {
			text += ", retrying the refresh that failed"
		}
		if st.KeepWarmOff != "" {
			return text + "; none would start now: " + st.KeepWarmOff
		}
		return text + "; off: authwrap config set" + profileArg(st.Profile) + " keep_warm 0"
	case st.KeepWarmOff != "":
		return "no: " + st.KeepWarmOff
	case !st.Refreshable:
		return ""
	}
	return "not now: the next use that refreshes starts it"
}

// expiryText says when the access token expires, and what happens then.
func expiryText(st status) string {
	failed := ""
	if f := st.RefreshFailed; f != nil && st.Refreshable {
		failed = fmt.Sprintf("the last refresh failed %s ago: %s; `%s%s doctor` checks the server",
			max(time.Since(f.At), 0).Round(time.Second), f.Reason, selfCommand(), profileArg(st.Profile))
	}
	if st.Dropped {
		switch {
		case !st.Refreshable:
			return "no cached access token, and no refresh token: sign in again"
		case failed != "":
			return "no cached access token (it was refused and dropped); " + failed
		}
		return "no cached access token (it was refused and dropped); the next use refreshes"
	}
	exp := st.Expires.Format(time.RFC3339)
	if st.Expired {
		exp += " (expired"
	} else {
		exp += " (in " + time.Until(*st.Expires).Round(time.Second).String()
	}
	if failed != "" {
		return exp + "; " + failed + ")"
	}
	if st.Refreshable {
		return exp + "; refreshes automatically)"
	}
	if st.Machine {
		return exp + "; replaced by running the grant again)"
	}
	return exp + "; no refresh token)"
}

// LogoutCmd deletes the session.
type LogoutCmd struct {
	All bool `help:"Delete every stored session, every profile's (they share the file keyring: the way out when its passphrase is lost)."`
}

// Run deletes the stored session, readable or not.
func (c *LogoutCmd) Run(ctx context.Context, g *Globals) error {
	cfg, err := g.loadConfig()
	if err != nil {
		return err
	}
	if c.All {
		store, err := g.openStore(cfg)
		if err != nil {
			return err
		}
		n, err := store.DeleteAll()
		if err != nil {
			return err
		}
		g.stopKeepers(cfg, store)
		fmt.Fprintf(g.stderr, "authwrap: deleted every stored session (%d item(s) in the %s keyring)\n", n, store.Backend)
		return nil
	}
	e, err := g.resolve(cfg, "")
	if err != nil {
		// A session stored under a profile the configuration does not
		// (or no longer) describe is still the user's to remove: deleting
		// needs only its name.
		name := g.configProfile(cfg)
		if nerr := helper.CheckProfileName(name); nerr != nil {
			return nerr
		}
		e = &config.Entry{Profile: helper.Profile{Name: name}}
	}
	m, _, err := g.managerFor(cfg, e)
	if err != nil {
		return err
	}
	existed, err := m.DeleteSession(ctx)
	if err != nil {
		return err
	}
	// The session is gone: a keeper would find nothing to refresh, but
	// it ends now, not at its next wake.
	if err := m.StopKeeper(); err != nil {
		fmt.Fprintf(g.stderr, "authwrap: warning: %v\n", err)
	}
	if !existed {
		fmt.Fprintf(g.stderr, "authwrap: %s was not signed in; nothing to remove\n", m.Profile.Name)
		return nil
	}
	fmt.Fprintf(g.stderr, "authwrap: signed out of %s: the local session is deleted (it ends on the server when it expires)\n", m.Profile.Name)
	return nil
}

// VersionCmd prints the version.
type VersionCmd struct{}

// Run prints the version.
func (c *VersionCmd) Run(g *Globals) error {
	_, err := fmt.Fprintf(g.stdout, "authwrap %s\n", versionString())
	return err
}
