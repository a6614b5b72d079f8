package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/authwrap/authwrap/flow/authkittest"
)

// warmSetup starts a server whose tokens live life, and a home whose
// profiles (default, and those named) keep their sessions warm for
// window after the last use, handing tools tokens with a second left;
// the environment is a person's (no CI, prompting allowed) without a
// terminal.
func warmSetup(t *testing.T, life time.Duration, window string, profiles ...string) (*authkittest.Server, []string) {
	t.Helper()
	if raceDetector {
		// The keeper runs in processes of its own, where the detector
		// sees nothing; helper.TestKeep is its check in one process. Here
		// it would only slow every process down past the tokens' seconds.
		t.Skip("the keeper's processes: not under the race detector")
	}
	srv := authkittest.NewServer(authkittest.Config{Interval: time.Second, AutoApprove: 10 * time.Millisecond,
		AccessTokenTTL: life})
	t.Cleanup(srv.Close)
	_, home := promptServer(t, false)
	env := serverEnv(home, srv, "AUTHWRAP_NO_PROMPT=", "AUTHWRAP_KEEP_WARM=", "CI=")
	for _, p := range append([]string{"default"}, profiles...) {
		for _, kv := range [][2]string{{"keep_warm", window}, {"min_ttl", "1s"}} {
			if _, errOut, code := runAuthwrap(t, env, "config", "set", "--profile", p, kv[0], kv[1]); code != 0 {
				t.Fatalf("config set %s: %s", kv[0], errOut)
			}
		}
	}
	// Whatever a test leaves running ends with it, before its home goes.
	t.Cleanup(func() { runAuthwrap(t, env, "logout", "--all") })
	return srv, env
}

// warmStatus is what status --json says of the keeper.
type warmStatus struct {
	SignedIn       bool       `json:"signed_in"`
	KeeperPID      int        `json:"keeper_pid"`
	KeptFreshUntil *time.Time `json:"kept_fresh_until"`
	KeepWarmOff    string     `json:"keep_warm_off"`
}

// keeperOf is the status of profile's keeper, once one runs (a keeper
// starts a moment after the command that started it has ended).
func keeperOf(t *testing.T, env []string, profile string) warmStatus {
	t.Helper()
	var st warmStatus
	waitUntil(3*time.Second, func() bool { st = statusOf(t, env, profile); return alive(st.KeeperPID) })
	return st
}

func statusOf(t *testing.T, env []string, profile string) warmStatus {
	t.Helper()
	out, errOut, _ := runAuthwrap(t, env, "status", "--json", "--profile", profile)
	var st []warmStatus
	if err := json.Unmarshal([]byte(out), &st); err != nil || len(st) != 1 {
		t.Fatalf("status --json: %v: %s%s", err, out, errOut)
	}
	return st[0]
}

// alive reports whether process pid runs: exists and is not a zombie (a
// keeper's parent has exited; whether PID 1 reaps it is the container's
// business).
func alive(pid int) bool {
	if pid <= 0 || errors.Is(syscall.Kill(pid, 0), syscall.ESRCH) {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// pid (comm) STATE ...: comm may hold spaces and parentheses.
	rest := stat[bytes.LastIndexByte(stat, ')')+1:]
	return !bytes.HasPrefix(bytes.TrimSpace(rest), []byte("Z"))
}

// stopAtEnd kills a keeper a failed test left running.
func stopAtEnd(t *testing.T, pid int) {
	if pid <= 0 {
		t.Fatalf("no keeper process (pid %d)", pid)
	}
	t.Cleanup(func() {
		if alive(pid) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	})
}

// waitUntil polls cond every 50 ms for up to within.
func waitUntil(within time.Duration, cond func() bool) bool {
	for end := time.Now().Add(within); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}

// loginWithoutKeeper signs profile in and kills the keeper the sign-in
// started (as an OOM killer would), so that the next refresh is a
// command's own and starts the next keeper.
func loginWithoutKeeper(t *testing.T, env []string, profile string) {
	t.Helper()
	login(t, env, profile)
	k := keeperOf(t, env, profile)
	if !alive(k.KeeperPID) {
		t.Fatalf("no keeper after login: %+v", k)
	}
	_ = syscall.Kill(k.KeeperPID, syscall.SIGKILL)
	waitUntil(2*time.Second, func() bool { return !alive(k.KeeperPID) })
}

func login(t *testing.T, env []string, profile string) {
	t.Helper()
	if _, errOut, code := runAuthwrap(t, env, "login", "--profile", profile); code != 0 {
		t.Fatalf("login --profile %s: exit %d: %s", profile, code, errOut)
	}
}

// TestKeepWarm: login starts a keeper, which refreshes ahead of use (a
// call after the first token's life finds a fresh one), at most once per
// three quarters of a token's life, and ends by itself once the idle
// window has passed since the last use, refreshing no more.
func TestKeepWarm(t *testing.T) {
	t.Parallel()
	const life = 4 * time.Second
	// The window leaves room for what runs before the idle stretch below
	// (login, status, doctor), slow under the race detector.
	srv, env := warmSetup(t, life, "16s")
	login(t, env, "default")
	k := keeperOf(t, env, "default")
	if !alive(k.KeeperPID) || k.KeptFreshUntil == nil {
		t.Fatalf("no keeper after login: %+v", k)
	}
	stopAtEnd(t, k.KeeperPID)
	if until := time.Until(*k.KeptFreshUntil); until < 10*time.Second || until > 17*time.Second {
		t.Errorf("kept fresh until %s from now, want about the 16s idle window", until)
	}
	if out, errOut, _ := runAuthwrap(t, env, "doctor"); !strings.Contains(out+errOut, fmt.Sprintf("kept fresh in the background by process %d until", k.KeeperPID)) {
		t.Errorf("doctor does not show the keeper:\n%s%s", out, errOut)
	}

	// No call for two token lives: the keeper refreshes on its own, at
	// most once per 0.75 of a life (and one more at the edge), less a
	// second, as the server counts a token's life from the whole second
	// it was issued in.
	r0, start := srv.Requests(authkittest.Refresh), time.Now()
	time.Sleep(2*life + 500*time.Millisecond)
	elapsed, idle := time.Since(start), srv.Requests(authkittest.Refresh)-r0
	if idle < 2 {
		t.Errorf("%d refreshes in %s without a call, want at least 2 (the keeper refreshes ahead)", idle, elapsed)
	}
	if most := int(elapsed/(life*3/4-time.Second)) + 1; idle > most {
		t.Errorf("%d refreshes in %s, want at most %d", idle, elapsed, most)
	}
	// A call now, long past the first token's life, is a cached read of
	// a token that still has a second and more.
	out, errOut, code := runAuthwrap(t, env, "token", "--min-ttl", "1s", "--json")
	var tok struct {
		ExpiresAt time.Time `json:"expires_at"`
	}
	// (Valid still when read here: a process under the race detector
	// takes a good part of the second it was asked for to exit.)
	if code != 0 || json.Unmarshal([]byte(out), &tok) != nil || !time.Now().Before(tok.ExpiresAt) {
		t.Fatalf("token after %s: exit %d, expires at %s: %s", elapsed, code, tok.ExpiresAt, errOut)
	}
	used := time.Now()
	if k2 := keeperOf(t, env, "default"); k2.KeeperPID != k.KeeperPID || k2.KeptFreshUntil == nil || k2.KeptFreshUntil.Before(*k.KeptFreshUntil) {
		t.Errorf("the call did not extend the same keeper's window: before %+v, after %+v", k, k2)
	}

	// No further use: the keeper ends once 16s have passed since the call.
	if !waitUntil(20*time.Second, func() bool { return !alive(k.KeeperPID) }) {
		t.Fatalf("the keeper still runs %s after the last use (idle window 16s)", time.Since(used).Round(time.Second))
	}
	if since := time.Since(used); since < 15*time.Second {
		t.Errorf("the keeper ended %s after the last use, before its 16s idle window", since.Round(time.Second))
	}
	after := srv.Requests(authkittest.Refresh)
	time.Sleep(life + time.Second)
	if n := srv.Requests(authkittest.Refresh); n != after {
		t.Errorf("%d refreshes after the keeper ended, want none", n-after)
	}
	if k := statusOf(t, env, "default"); k.KeeperPID != 0 || k.KeepWarmOff != "" {
		t.Errorf("status after the keeper ended: %+v", k)
	}
}

// TestKeepWarmStops: logout ends the keeper at once; a call that has to
// refresh starts one again; in CI, with AUTHWRAP_NO_PROMPT, or keep_warm
// 0, none starts and status says why.
func TestKeepWarmStops(t *testing.T) {
	t.Parallel()
	const life = 3 * time.Second
	srv, env := warmSetup(t, life, "1m")
	login(t, env, "default")
	k := keeperOf(t, env, "default")
	stopAtEnd(t, k.KeeperPID)
	if _, errOut, code := runAuthwrap(t, env, "logout"); code != 0 {
		t.Fatalf("logout: %s", errOut)
	}
	if alive(k.KeeperPID) {
		t.Errorf("the keeper (process %d) outlived logout", k.KeeperPID)
	}

	// A call that refreshes itself (the keeper is gone) starts one.
	login(t, env, "default")
	k = keeperOf(t, env, "default")
	if !alive(k.KeeperPID) {
		t.Fatalf("no keeper after login: %+v", k)
	}
	_ = syscall.Kill(k.KeeperPID, syscall.SIGKILL) // as an OOM killer would
	waitUntil(2*time.Second, func() bool { return !alive(k.KeeperPID) })
	time.Sleep(life + 1500*time.Millisecond) // a token lives up to a second more (whole-second exp)
	refreshes := srv.Requests(authkittest.Refresh)
	if _, errOut, code := runAuthwrap(t, env, "token", "--min-ttl", "1s"); code != 0 {
		t.Fatalf("token: %s", errOut)
	}
	// No keeper ran (killed), and the call starts one only after its own
	// refresh: any refresh is the call's (the new keeper's, of 3-second
	// tokens, may follow within the second a slow process takes to exit).
	if n := srv.Requests(authkittest.Refresh) - refreshes; n < 1 {
		t.Errorf("the call after an expiry made no refresh of its own")
	}
	again := keeperOf(t, env, "default")
	if !alive(again.KeeperPID) || again.KeeperPID == k.KeeperPID {
		t.Fatalf("no new keeper after a call that refreshed: %+v", again)
	}
	stopAtEnd(t, again.KeeperPID)
	// A new keep_warm ends the keeper started with the old one: status
	// never says "off" while one still refreshes.
	if _, errOut, code := runAuthwrap(t, env, "config", "set", "keep_warm", "0"); code != 0 || !strings.Contains(errOut, "stopped the process that kept default fresh") {
		t.Errorf("config set keep_warm 0: exit %d: %s", code, errOut)
	}
	if alive(again.KeeperPID) {
		t.Errorf("the keeper (process %d) outlived keep_warm = 0", again.KeeperPID)
	}
	if _, errOut, code := runAuthwrap(t, env, "config", "set", "keep_warm", "1m"); code != 0 {
		t.Fatalf("config set keep_warm 1m: %s", errOut)
	}
	if _, errOut, code := runAuthwrap(t, env, "logout"); code != 0 {
		t.Fatalf("logout: %s", errOut)
	}

	for _, c := range []struct{ env, why string }{
		{"CI=true", "in CI"},
		{"AUTHWRAP_NO_PROMPT=1", "AUTHWRAP_NO_PROMPT=1"},
		{"AUTHWRAP_KEEP_WARM=0", "AUTHWRAP_KEEP_WARM=0"},
	} {
		cenv := append(env[:len(env):len(env)], c.env)
		login(t, cenv, "default")
		time.Sleep(life + 1500*time.Millisecond) // expired: the next call refreshes itself
		if _, errOut, code := runAuthwrap(t, cenv, "token", "--min-ttl", "1s"); code != 0 {
			t.Fatalf("%s: token: %s", c.env, errOut)
		}
		time.Sleep(300 * time.Millisecond)
		if k := statusOf(t, cenv, "default"); k.KeeperPID != 0 || !strings.Contains(k.KeepWarmOff, c.why) {
			t.Errorf("%s: a keeper started, or status does not say why not: %+v", c.env, k)
		}
		if out, _, _ := runAuthwrap(t, cenv, "status"); !strings.Contains(out, "kept fresh:    no: "+c.why) {
			t.Errorf("%s: status does not say the session is not kept fresh:\n%s", c.env, out)
		}
	}
}

// TestKeepWarmFailures: refreshes that fail in the background (a server
// error, an answer lost after the server rotated the pair) never lose
// the session: the keeper tries again and a call still gets a token.
// Two profiles are kept warm at once, by two keepers.
func TestKeepWarmFailures(t *testing.T) {
	t.Parallel()
	const life = 3 * time.Second
	srv, env := warmSetup(t, life, "20s", "second")
	login(t, env, "default")
	login(t, env, "second")
	k1, k2 := keeperOf(t, env, "default"), keeperOf(t, env, "second")
	stopAtEnd(t, k1.KeeperPID)
	stopAtEnd(t, k2.KeeperPID)
	if !alive(k1.KeeperPID) || !alive(k2.KeeperPID) || k1.KeeperPID == k2.KeeperPID {
		t.Fatalf("two profiles, keepers %d and %d", k1.KeeperPID, k2.KeeperPID)
	}
	start := srv.Requests(authkittest.Refresh)
	faults := []authkittest.Fault{{AfterProcessing: true, Drop: true}} // the lossy case
	for range 6 {
		faults = append(faults, authkittest.Fault{Status: 500})
	}
	srv.Fail(authkittest.Refresh, faults...)
	// The keepers meet the faults, back off (5 s, then 10) and try again
	// until a refresh succeeds.
	if !waitUntil(30*time.Second, func() bool { return srv.Requests(authkittest.Refresh)-start >= len(faults)+1 }) {
		t.Errorf("%d refreshes while the server failed %d, want the keepers to have tried past them",
			srv.Requests(authkittest.Refresh)-start, len(faults))
	}
	for _, p := range []string{"default", "second"} {
		out, errOut, code := runAuthwrap(t, env, "token", "--profile", p, "--min-ttl", "1s")
		if code != 0 || !strings.HasPrefix(out, "eyJ") {
			t.Errorf("%s: the session did not survive failed background refreshes: exit %d: %s", p, code, errOut)
		}
	}
	for _, k := range []warmStatus{k1, k2} {
		if !alive(k.KeeperPID) {
			t.Errorf("keeper %d gave up after failed refreshes", k.KeeperPID)
		}
	}
	if _, errOut, code := runAuthwrap(t, env, "logout", "--all"); code != 0 {
		t.Fatalf("logout --all: %s", errOut)
	}
	for _, k := range []warmStatus{k1, k2} {
		if alive(k.KeeperPID) {
			t.Errorf("keeper %d outlived logout --all", k.KeeperPID)
		}
	}
}

// TestKeeperEnv: a keeper started inside `authwrap exec` (git run by the
// command) does not carry the token exec gave the command, its
// endpoint's secret, or a machine's client secret.
func TestKeeperEnv(t *testing.T) {
	for _, kv := range [][2]string{{"AUTHWRAP_TOKEN", "eyJ.a.b"}, {"AUTHWRAP_TOKEN_URL_AUTH", "Bearer s"},
		{"AUTHWRAP_CLIENT_SECRET", "sk_test"}, {"AUTHWRAP_TOKEN_EXPIRES_AT", "2026-12-07T00:00:00Z"},
		{"MYTOK", "eyJ.m.t"}, {"TF_TOKEN_tf_example_com", "eyJ.t.f"}, {tokenVarsVar, "MYTOK,TF_TOKEN_tf_example_com"},
		{"AUTHWRAP_API_URL", "http://127.0.0.1:1"}} {
		t.Setenv(kv[0], kv[1])
	}
	env := strings.Join(keeperEnv(), "\n")
	if strings.Contains(env, "AUTHWRAP_API_URL") {
		t.Error("the keeper's environment sets a server, which would apply to whichever profile it keeps")
	}
	for _, secret := range []string{"eyJ.a.b", "Bearer s", "sk_test", "eyJ.m.t", "eyJ.t.f"} {
		if strings.Contains(env, secret) {
			t.Errorf("the keeper's environment holds %q", secret)
		}
	}
	if !strings.Contains(env, "AUTHWRAP_TOKEN_EXPIRES_AT=") {
		t.Error("keeperEnv dropped more than the secrets")
	}
}

// TestKeeperAfterExec: a keeper that a command run by authwrap exec
// starts (its `authwrap token` refreshed) holds none of the variables
// exec put the token in, whatever their names (--env, --terraform-host),
// though it lives on for the whole idle window.
func TestKeeperAfterExec(t *testing.T) {
	t.Parallel()
	const life = 3 * time.Second
	_, env := warmSetup(t, life, "1m")
	loginWithoutKeeper(t, env, "default")
	// Past the first tenth of the token's life, so --min-ttl 1m refreshes.
	time.Sleep(life / 5)
	// exec keeps the file keyring's passphrase from the command: it is
	// given back under another name, as a script would have it.
	var pass string
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "AUTHWRAP_FILE_PASSPHRASE="); ok {
			pass = v
		}
	}
	if _, errOut, code := runAuthwrap(t, append(env[:len(env):len(env)], "PASS="+pass), "exec", "--min-ttl", "0s", "--env", "MYTOK", "--terraform-host", "tf.example.com",
		"--", "sh", "-c", `test -n "$MYTOK" && AUTHWRAP_FILE_PASSPHRASE=$PASS authwrap token --min-ttl 1m >/dev/null`); code != 0 {
		t.Fatalf("exec: %s", errOut)
	}
	k := keeperOf(t, env, "default")
	if !alive(k.KeeperPID) {
		t.Fatalf("no keeper after the command refreshed: %+v", k)
	}
	stopAtEnd(t, k.KeeperPID)
	environ, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", k.KeeperPID))
	if err != nil {
		t.Fatal(err)
	}
	for _, kv := range bytes.Split(environ, []byte{0}) {
		name, value, _ := strings.Cut(string(kv), "=")
		if name == "MYTOK" || strings.HasPrefix(name, "TF_TOKEN_") || name == "AUTHWRAP_TOKEN" || strings.HasPrefix(value, "eyJ") {
			t.Errorf("the keeper's environment holds %s (a token)", name)
		}
	}
}

// TestKeeperOfAnotherProfile: the server and client named by the flags
// and AUTHWRAP_API_URL and its kin apply to the chosen profile only, and
// so to that profile's keeper only: a helper serving another profile's
// host starts that profile's keeper without them, and it keeps the
// session warm (given the chosen profile's server, it found the session
// was another server's and ended at once).
func TestKeeperOfAnotherProfile(t *testing.T) {
	t.Parallel()
	const life = 3 * time.Second
	srv, env := warmSetup(t, life, "1m", "b")
	for _, kv := range [][2]string{{"hosts", "git.b.test"}, {"api_url", srv.URL}, {"client_id", srv.Config.ClientID}} {
		if _, errOut, code := runAuthwrap(t, env, "config", "set", "--profile", "b", kv[0], kv[1]); code != 0 {
			t.Fatalf("config set %s: %s", kv[0], errOut)
		}
	}
	loginWithoutKeeper(t, env, "b")
	time.Sleep(life + 1500*time.Millisecond) // expired: git's helper refreshes b's session, and starts its keeper
	get := exec.Command("sh", "-c", `printf 'protocol=https\nhost=git.b.test\n\n' | authwrap git-credential get`)
	get.Env = append(env[:len(env):len(env)], "AUTHWRAP_API_URL=http://127.0.0.1:9")
	if out, err := get.CombinedOutput(); err != nil || !bytes.Contains(out, []byte("password=")) {
		t.Fatalf("git-credential get for b's host: %v: %s", err, bytes.ReplaceAll(out, []byte("password="), []byte("[password]")))
	}
	k := keeperOf(t, env, "b")
	if !alive(k.KeeperPID) {
		t.Fatalf("no keeper for b after its refresh: %+v", k)
	}
	stopAtEnd(t, k.KeeperPID)
	cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", k.KeeperPID))
	if bytes.Contains(cmdline, []byte("--api-url")) || bytes.Contains(cmdline, []byte("127.0.0.1:9")) {
		t.Errorf("b's keeper was given the chosen profile's server: %q", bytes.ReplaceAll(cmdline, []byte{0}, []byte{' '}))
	}
	time.Sleep(time.Second)
	if !alive(k.KeeperPID) {
		t.Errorf("b's keeper (process %d) ended at once", k.KeeperPID)
	}
}

// TestKeeperSurvivesHangup: the keeper started by a command in a
// terminal's session (here `authwrap exec -- sh`, which refreshed) lives
// on when the terminal closes and its session gets SIGHUP; what ran in
// the terminal does not.
func TestKeeperSurvivesHangup(t *testing.T) {
	t.Parallel()
	const life = 3 * time.Second
	_, env := warmSetup(t, life, "1m")
	loginWithoutKeeper(t, env, "default")
	time.Sleep(life + 1500*time.Millisecond) // expired: exec refreshes, and starts a keeper
	p := startOnPTY(t, append(env[:len(env):len(env)], "TERM=xterm"), "exec", "--", "sh", "-c", "echo ready >&2; sleep 30")
	p.waitFor("ready", 1)
	k := keeperOf(t, env, "default")
	if !alive(k.KeeperPID) {
		t.Fatalf("no keeper after exec refreshed: %+v", k)
	}
	stopAtEnd(t, k.KeeperPID)
	p.master.Close() // the terminal goes: its session gets SIGHUP
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
		t.Fatal("the shell in the closed terminal still runs")
	}
	time.Sleep(300 * time.Millisecond)
	if !alive(k.KeeperPID) {
		t.Errorf("the keeper (process %d) died with the terminal", k.KeeperPID)
	}
}

// TestNoKeeperWithATypedPassphrase: with the file keyring unlocked by a
// passphrase typed at the prompt, a process in the background could not
// save a refreshed session: no keeper starts, and status says why.
func TestNoKeeperWithATypedPassphrase(t *testing.T) {
	t.Parallel()
	srv, home := promptServer(t, false)
	signedIn(t, srv, home) // the passphrase in the environment
	env := serverEnv(home, srv, "AUTHWRAP_NO_PROMPT=", "AUTHWRAP_KEEP_WARM=", "CI=", "TERM=xterm", "AUTHWRAP_FILE_PASSPHRASE=")
	p := startOnPTY(t, env, "status")
	p.waitFor("passphrase to unlock the file keyring", 1)
	p.typeKeys("test-passphrase\r")
	if code := p.exitCode(10*time.Second, "the passphrase"); code != 0 {
		t.Fatalf("status: exit %d:\n%s", code, p.shown())
	}
	if out := p.stdout.String(); !strings.Contains(out, "kept fresh:    no: the file keyring's passphrase is typed at a prompt") {
		t.Errorf("status does not say why no keeper runs:\n%s", out)
	}
	if k := statusOf(t, serverEnv(home, srv, "AUTHWRAP_KEEP_WARM=", "CI="), "default"); k.KeeperPID != 0 {
		t.Errorf("a keeper runs: %+v", k)
	}
}
