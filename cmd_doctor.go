package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/authwrap/authwrap/flow"
	"github.com/authwrap/authwrap/helper"
	"github.com/authwrap/authwrap/internal/appenv"
	"github.com/authwrap/authwrap/internal/config"
	"github.com/authwrap/authwrap/internal/credhelper"
	"github.com/authwrap/authwrap/internal/fsutil"
	"github.com/authwrap/authwrap/internal/integrate"
	"github.com/authwrap/authwrap/internal/safetext"
	"github.com/authwrap/authwrap/protocol"
)

// DoctorCmd checks everything authwrap depends on and says how to fix
// what is wrong.
type DoctorCmd struct {
	JSON bool `name:"json" help:"Print the findings as JSON."`
}

// Finding statuses.
const (
	statusOK      = "ok"
	statusWarning = "warning"
	statusProblem = "problem"
)

// finding is one line of doctor's report. It never holds a secret.
type finding struct {
	Area    string `json:"area"`
	Status  string `json:"status"`
	Message string `json:"message"`
	Fix     string `json:"fix,omitempty"`
}

// doctorNetworkBudget bounds all of doctor's requests together, so that
// a dead or silent server costs this long at most.
const doctorNetworkBudget = 6 * time.Second

// doctor collects findings.
type doctor struct {
	g        *Globals
	findings []finding
	// keepWarmOff, when set, is why no session is kept warm (the demo's).
	keepWarmOff string
}

// add records a finding. Its text may hold a server's or a file's words
// (an error, a name): it goes through the one sanitiser here, whole, for
// the terminal and for --json alike.
func (d *doctor) add(area, status, fix, format string, a ...any) {
	d.findings = append(d.findings, finding{Area: area, Status: status,
		Message: safetext.Line(fmt.Sprintf(format, a...)), Fix: safetext.Line(fix)})
}

// Run checks the configuration, the storage, the server, the session and
// every tool set up to ask authwrap, and prints one line each. Exit 1
// when something is a problem.
func (c *DoctorCmd) Run(ctx context.Context, g *Globals) error {
	d := &doctor{g: g}
	d.checkEnvironment()
	cfg, e := d.checkConfig()
	var store *helper.KeyringStore
	if cfg != nil {
		store = d.checkStorage(cfg)
	}
	if e != nil {
		keys := d.checkServer(ctx, e)
		if store != nil {
			d.checkSession(e, store, keys)
		}
	}
	if cfg != nil {
		d.checkTools(cfg)
	}
	problems := 0
	for _, f := range d.findings {
		if f.Status == statusProblem {
			problems++
		}
	}
	if c.JSON {
		enc := safetext.NewJSONEncoder(g.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(struct {
			Findings []finding `json:"findings"`
			Problems int       `json:"problems"`
		}{d.findings, problems}); err != nil {
			return err
		}
	} else {
		for _, f := range d.findings {
			fmt.Fprintf(g.stdout, "%-8s %-9s %s\n", f.Status, f.Area, f.Message)
			if f.Fix != "" {
				fmt.Fprintf(g.stdout, "%-8s %-9s fix: %s\n", "", "", f.Fix)
			}
		}
	}
	if problems > 0 {
		return &exitError{code: 1, err: fmt.Errorf("%d problem(s) found", problems), quiet: c.JSON}
	}
	return nil
}

// checkEnvironment says which of authwrap's variables are set (a
// secret's value never), since they override the configuration.
func (d *doctor) checkEnvironment() {
	for _, e := range environment {
		if e.Set || !(strings.HasPrefix(e.Name, "AUTHWRAP_") || e.Name == "CI" || e.Name == "GIT_TERMINAL_PROMPT") {
			continue
		}
		if e.Secret {
			if appenv.Lookup(e.Name) != "" {
				d.add("env", statusOK, "", "%s is set (its value is not shown): %s", e.Name, e.What)
			}
			continue
		}
		if v, ok := os.LookupEnv(e.Name); ok && v != "" {
			d.add("env", statusOK, "", "%s=%s: %s", e.Name, v, e.What)
		}
	}
}

// checkConfig reads the configuration file as every command does (which
// also prepares the HTTP client, --ca-file included) and resolves the
// profile.
func (d *doctor) checkConfig() (*config.Config, *config.Entry) {
	g := d.g
	path := g.configPath()
	cfg, err := g.loadConfig()
	switch {
	case errors.Is(err, fsutil.ErrUntrusted) && errors.Is(err, config.ErrConfig):
		d.add("config", statusProblem, "chmod go-w "+integrate.ShellWord(path)+" (and its directory), or move it to a directory of your own",
			"%s", strings.TrimPrefix(err.Error(), config.ErrConfig.Error()+": "))
		return nil, nil
	case err != nil:
		d.add("config", statusProblem, "fix "+path+", or the path given with --config or AUTHWRAP_CONFIG", "%s", describe(err))
		return nil, nil
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		d.add("config", statusOK, "", "no configuration file at %s: the defaults and the environment apply", path)
	} else if len(cfg.Profiles) > 0 {
		var names []string
		for _, e := range cfg.Entries("") {
			names = append(names, e.Name)
		}
		d.add("config", statusOK, "", "%s: profiles %s; only you can write it", path, strings.Join(names, ", "))
	}
	e, err := g.resolve(cfg, "")
	if err != nil {
		fix := g.hint(err)
		if fix == "" {
			fix = "fix " + path
		}
		d.add("profile", statusProblem, fix, "%s", describe(err))
		return cfg, nil
	}
	d.add("profile", statusOK, "", "%s: client %s at %s (%s)", e.Name, e.ClientID, e.Server(), e.Flavour())
	return cfg, e
}

// checkStorage opens the keyring as the other commands do.
func (d *doctor) checkStorage(cfg *config.Config) *helper.KeyringStore {
	store, err := d.g.openStore(cfg)
	if err != nil {
		d.add("storage", statusProblem, d.g.hint(err), "%s", describe(err))
		return nil
	}
	for _, p := range store.Probes {
		if p.Used {
			d.add("storage", statusOK, "", "sessions are kept in the %s keyring (%s)", p.Backend, p.Reason)
		} else {
			d.add("storage", statusOK, "", "%s skipped: %s", p.Backend, p.Reason)
		}
	}
	return store
}

// checkServer reaches the profile's server: discovery (standard), the
// signing keys, the clock, the proxy and the CAs in use. It returns the
// keys, or nil.
func (d *doctor) checkServer(ctx context.Context, e *config.Entry) *jose.JSONWebKeySet {
	g := d.g
	ctx, cancel := context.WithTimeout(ctx, doctorNetworkBudget)
	defer cancel()
	if req, err := http.NewRequest(http.MethodGet, e.Server(), nil); err == nil {
		if proxy, err := http.ProxyFromEnvironment(req); err == nil && proxy != nil {
			proxy.User = nil
			d.add("server", statusOK, "", "requests go through the proxy %s (HTTPS_PROXY)", proxy.Redacted())
		}
	}
	if g.CAFile != "" {
		d.add("server", statusOK, "", "trusting the CA certificates in %s as well as the system's", g.CAFile)
	}
	start := time.Now()
	m, err := g.manager(e, noStore{}, nil)
	var c *flow.Client
	if err == nil {
		c, err = m.Client(ctx)
	}
	if err != nil {
		d.add("server", statusProblem, "check the URL (api_url or issuer) and the network; --verbose shows each request", "%s", describe(err))
		return nil
	}
	c.RequestTimeout = doctorNetworkBudget / 2
	if e.Flavour() == flow.Standard {
		d.add("server", statusOK, "", "discovery at %s: device and token endpoints on the issuer", e.Server())
	}
	keys, date, err := c.JWKS(ctx)
	if err != nil {
		status, fix := statusProblem, "check the URL and the network; --verbose shows each request"
		if errors.Is(err, flow.ErrNoJWKS) {
			status, fix = statusWarning, ""
		}
		d.add("server", status, fix, "%s", describe(err))
		return nil
	}
	d.add("server", statusOK, "", "%s answered in %s with %d signing key(s)", c.Provider.JWKSURL, elapsed(time.Since(start)), len(keys.Keys))
	if !date.IsZero() {
		skew := time.Until(date)
		if skew < -time.Minute || skew > time.Minute {
			d.add("clock", statusWarning, "set the clock right (timedatectl set-ntp true, or your system's time settings)",
				"this machine's clock is %s %s the server's: tokens may look expired or not yet valid", abs(skew).Round(time.Second), aheadOrBehind(skew))
		} else {
			d.add("clock", statusOK, "", "within a minute of the server's")
		}
	}
	return keys
}

func abs(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

func aheadOrBehind(skew time.Duration) string {
	if skew < 0 {
		return "ahead of"
	}
	return "behind"
}

// checkSession reads the stored session and checks its token against the
// server's keys.
func (d *doctor) checkSession(e *config.Entry, store *helper.KeyringStore, keys *jose.JSONWebKeySet) {
	m, err := d.g.manager(e, store, nil)
	if err != nil {
		d.add("session", statusProblem, "", "%s", describe(err))
		return
	}
	if e.Machine() {
		d.checkMachine(m, e)
		return
	}
	login := "authwrap login" + profileArg(e.Name)
	s, err := m.Load()
	if err != nil {
		fix := login
		if h := d.g.hint(err); h != "" && !errors.Is(err, helper.ErrNotSignedIn) {
			fix = h
		}
		d.add("session", statusProblem, fix, "%s", describe(err))
		return
	}
	// After a failed refresh, the line below says so instead of promising.
	lastFailure, failed := m.LastRefreshFailure()
	refreshes := ", the next use refreshes it"
	if failed {
		refreshes = ""
	}
	switch {
	case s.Dropped():
		d.add("session", statusOK, "", "%s signed in; no cached access token%s", s.Who(), refreshes)
	case s.ValidFor(0):
		d.add("session", statusOK, "", "%s signed in; the access token is valid for %s", s.Who(), time.Until(s.Expiry).Round(time.Second))
	case !s.RefreshToken.IsZero():
		d.add("session", statusOK, "", "%s signed in; the access token expired%s", s.Who(), refreshes)
	default:
		d.add("session", statusProblem, login, "%s: the access token expired and there is no refresh token", s.Who())
	}
	if f := lastFailure; failed && !s.RefreshToken.IsZero() {
		// The server line above says what the server answers now.
		level := statusWarning
		if !s.ValidFor(0) {
			level = statusProblem
		}
		d.add("session", level, "", "the last refresh failed %s ago: %s", max(time.Since(f.At), 0).Round(time.Second), f.Reason)
	}
	if s.OrganizationID != "" {
		d.add("session", statusOK, "", "organization %s", orgLabel(s.OrganizationName, s.OrganizationID))
	}
	d.checkKeeper(e, m, store, s)
	if keys == nil || s.Dropped() {
		return
	}
	if _, err := flow.VerifyAccessToken(s.AccessToken.Reveal(), keys); err != nil {
		d.add("session", statusProblem, "authwrap logout"+profileArg(e.Name)+" && "+login,
			"the stored access token does not verify against %s's signing keys: it was issued by another server or the keys changed", e.Server())
		return
	}
	d.add("session", statusOK, "", "the access token verifies against the server's signing keys")
}

// checkKeeper says whether a keeper keeps the session fresh, or why
// none may (a warning when it is a passphrase typed at a prompt: the
// person may want the passphrase in the environment instead).
func (d *doctor) checkKeeper(e *config.Entry, m *helper.Manager, store *helper.KeyringStore, s *helper.Session) {
	if s.RefreshToken.IsZero() {
		return
	}
	_, why := keepWarm(e, store)
	why = cmp.Or(d.keepWarmOff, why)
	if k := m.Keeper(); k.Running && !k.Until.IsZero() {
		d.add("session", statusOK, "", "kept fresh in the background by process %d until %s unless used again", k.PID, k.Until.UTC().Format(time.RFC3339))
		if why != "" {
			d.add("session", statusOK, "", "no new one would start now: %s", why)
		}
		return
	}
	if why != "" {
		d.add("session", statusOK, "", "not kept fresh in the background: %s", why)
		return
	}
	d.add("session", statusOK, "", "kept fresh in the background once a use refreshes it (keep_warm %s)", m.KeepWarm)
}

// profileArg is " --profile NAME" for a profile other than the default
// one, for the commands hints and fix: lines print.
func profileArg(name string) string {
	if name == "" || name == helper.DefaultProfile {
		return ""
	}
	return " --profile " + integrate.ShellWord(name)
}

// checkTools compares what each tool's configuration sends to authwrap
// with the hosts the profiles list.
func (d *doctor) checkTools(cfg *config.Config) {
	tools := integrate.Tools()
	listed := func(t credhelper.Target) (string, bool) {
		e, err := credhelper.ProfileFor(cfg, t, "")
		if err != nil {
			return "", false
		}
		return e.Name, true
	}
	for _, e := range cfg.Entries("") {
		for _, h := range e.Hosts {
			host, err := credhelper.CanonicalHost(h, "https")
			if err != nil {
				d.add("hosts", statusProblem, "edit the profile's hosts", "profile %s lists %q, which is not a host: %v", e.Name, h, err)
				continue
			}
			users, err := integrate.UsedBy(tools, host, "")
			if err != nil {
				d.add("hosts", statusWarning, "", "%s", describe(err))
			}
			if len(users) == 0 {
				d.add("hosts", statusWarning, fmt.Sprintf("authwrap setup git --host %s (or docker, terraform, kubectl, cargo, go, pip), or take it out of the profile", integrate.ShellWord(host)),
					"%s is in profile %s, but no tool asks authwrap for it", host, e.Name)
				continue
			}
			d.add("hosts", statusOK, "", "%s (profile %s): used by %s", host, e.Name, strings.Join(users, ", "))
		}
	}
	d.checkGit(listed)
	d.checkDocker(listed)
	d.checkKubectl(listed)
	d.checkTerraform()
	d.checkCargo(listed)
	d.checkGoAuth()
	d.checkPip()
}

func (d *doctor) checkCargo(listed func(credhelper.Target) (string, bool)) {
	c := integrate.Cargo{Path: integrate.CargoConfigPath()}
	regs, err := c.Registries()
	if err != nil {
		d.add("cargo", statusProblem, "fix "+c.Path+" by hand", "%s", describe(err))
		return
	}
	for name, r := range regs {
		fix := fmt.Sprintf("authwrap setup cargo --registry %s --index %s (or --remove)", integrate.ShellWord(name), integrate.ShellWord(r.Index))
		t, err := credhelper.ParseTargetURL(protocol.CargoIndexURL(r.Index))
		p, ok := listed(t)
		switch {
		case err != nil || !ok:
			d.add("cargo", statusProblem, fix, "registry %s (%s) has authwrap as its credential provider, but no profile lists its host: cargo gets no token", name, r.Index)
		default:
			if _, serr := os.Stat(r.Provider[0]); serr != nil && filepath.IsAbs(r.Provider[0]) {
				d.add("cargo", statusProblem, fix, "registry %s runs %s, which is not there any more", name, r.Provider[0])
				continue
			}
			d.add("cargo", statusOK, "", "registry %s gets tokens for %s from profile %s", name, t.Host, p)
		}
	}
}

func (d *doctor) checkGoAuth() {
	v, err := integrate.GoEnvGet("GOAUTH")
	prog, ours := integrate.GoAuthProgram(v)
	if err != nil || !ours {
		return // no go command, or GOAUTH is not authwrap's
	}
	if _, err := os.Stat(prog); err != nil {
		d.add("go", statusProblem, "authwrap setup go --host HOST --write", "GOAUTH runs %s, which is not there any more", prog)
		return
	}
	d.add("go", statusOK, "", "GOAUTH runs authwrap goauth (%s)", v)
}

func (d *doctor) checkPip() {
	self, _ := os.Executable()
	k, ours := (integrate.Pip{Self: self}).KeyringOnPath()
	if !ours {
		return // pip's keyring is not authwrap
	}
	d.add("pip", statusOK, "", "pip's and uv's keyring command is authwrap (%s)", k)
}

func (d *doctor) checkGit(listed func(credhelper.Target) (string, bool)) {
	urls, err := integrate.Git{}.URLs()
	if err != nil {
		if _, lerr := exec.LookPath("git"); lerr != nil {
			return // no git here
		}
		d.add("git", statusWarning, "", "%s", describe(err))
		return
	}
	for _, u := range urls {
		t, err := credhelper.ParseTargetURL(u)
		if err != nil {
			d.add("git", statusProblem, "authwrap setup git --host "+integrate.ShellWord(u)+" --remove", "git sends %s to authwrap, which refuses it: %v", u, err)
			continue
		}
		if p, ok := listed(t); ok {
			d.add("git", statusOK, "", "git asks authwrap for %s (profile %s)", u, p)
			d.checkGitHelperPath(u, t.Host)
		} else {
			d.add("git", statusProblem, fmt.Sprintf("authwrap setup git --host %s (or --remove to stop git asking)", integrate.ShellWord(t.Host)),
				"git asks authwrap for %s, but no profile lists %s: git gets no token", u, t.Host)
		}
	}
}

// checkGitHelperPath checks that the binary setup git wrote into git's
// helper line for url still exists (a moved or upgraded binary leaves git
// running nothing).
func (d *doctor) checkGitHelperPath(url, host string) {
	helpers, err := integrate.Git{}.Helpers(url)
	if err != nil {
		return
	}
	for _, h := range helpers {
		path, ok := integrate.HelperPath(h)
		if !ok {
			continue
		}
		if _, err := os.Stat(path); err != nil {
			d.add("git", statusProblem, "authwrap setup git --host "+integrate.ShellWord(host), "git runs %s for %s, which is not there any more", path, url)
		}
	}
}

func (d *doctor) checkDocker(listed func(credhelper.Target) (string, bool)) {
	dk := integrate.Docker{Path: integrate.DockerConfigPath()}
	helpers, err := dk.CredHelpers()
	if err != nil {
		d.add("docker", statusProblem, "fix "+dk.Path+" by hand", "%s", describe(err))
		return
	}
	ours := false
	for reg, h := range helpers {
		if h != "authwrap" {
			continue
		}
		ours = true
		t, err := credhelper.DockerTarget(reg)
		if p, ok := listed(t); err == nil && ok {
			d.add("docker", statusOK, "", "docker asks authwrap for %s (profile %s)", reg, p)
		} else {
			d.add("docker", statusProblem, fmt.Sprintf("authwrap setup docker --registry %s (or --remove)", integrate.ShellWord(reg)),
				"docker asks authwrap for %s (%s), but no profile lists it: docker gets no credentials", reg, dk.Path)
		}
	}
	if ours {
		d.checkHelperName("docker", "docker-credential-authwrap", "")
	}
}

// checkHelperName says where a tool finds authwrap under a helper's name:
// on PATH, or in dir when set.
func (d *doctor) checkHelperName(area, name, dir string) {
	exe, _ := selfPath()
	var path string
	var err error
	if dir == "" {
		path, err = exec.LookPath(name)
	} else {
		path = filepath.Join(dir, integrate.HelperFile(name))
		_, err = os.Stat(path)
	}
	if err != nil {
		where := "on PATH"
		linkDir := filepath.Dir(exe)
		if dir != "" {
			where, linkDir = "in "+dir, dir
		}
		d.add(area, statusProblem, integrate.LinkHint(exe, linkDir, name), "%s is not %s, so %s cannot run authwrap", name, where, area)
		return
	}
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		target = path
	}
	d.add(area, statusOK, "", "%s is %s", name, target)
}

func (d *doctor) checkKubectl(listed func(credhelper.Target) (string, bool)) {
	kc := integrate.Kubectl{Path: integrate.KubeconfigPath()}
	uses, err := kc.Contexts()
	if err != nil {
		d.add("kubectl", statusWarning, "", "%s", describe(err))
		return
	}
	for _, u := range uses {
		fix := "authwrap setup kubectl --cluster " + integrate.ShellWord(u.Cluster)
		t, err := credhelper.ParseTargetURL(u.Server)
		p, ok := listed(t)
		switch {
		case u.Server == "" || err != nil:
			d.add("kubectl", statusProblem, fix, "context %s: cluster %s has no usable server (%q)", u.Context, u.Cluster, u.Server)
		case !u.ClusterInfo:
			d.add("kubectl", statusProblem, fix, "context %s: user %s lacks provideClusterInfo: true, so authwrap cannot tell which server the token is for and refuses", u.Context, u.User)
		case !ok:
			d.add("kubectl", statusProblem, fix, "context %s: no profile lists %s, so authwrap refuses it a token", u.Context, t.Host)
		default:
			d.add("kubectl", statusOK, "", "context %s gets tokens for %s from profile %s (%s)", u.Context, t.Host, p, u.APIVersion)
		}
	}
}

func (d *doctor) checkTerraform() {
	tf := integrate.Terraform{Path: integrate.TerraformConfigPath()}
	ok, err := tf.HasHelper()
	if err != nil {
		d.add("terraform", statusWarning, "", "%s", describe(err))
		return
	}
	if !ok {
		return
	}
	d.add("terraform", statusOK, "", "%s names authwrap as Terraform's credentials_helper", tf.Path)
	d.checkHelperName("terraform", "terraform-credentials-authwrap", integrate.TerraformPluginDir())
}

// elapsed says how long something took for a person: "under 1ms", "12ms",
// "1.3s" (never "0s").
func elapsed(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return "under 1ms"
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	}
	return d.Round(100 * time.Millisecond).String()
}

// noStore is a Store with nothing in it, for a Manager that only talks to
// the server (doctor's check of it).
type noStore struct{}

func (noStore) Load(string) (*helper.Session, error) { return nil, helper.ErrNoSession }
func (noStore) Save(*helper.Session) error           { return errors.New("doctor saves nothing") }
func (noStore) Delete(string) error                  { return nil }
