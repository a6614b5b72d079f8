package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/99designs/keyring"
	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/authwrap/authwrap/flow/authkittest"
	"github.com/authwrap/authwrap/helper"
	"github.com/authwrap/authwrap/internal/testkeys"
)

func TestMain(m *testing.M) {
	main := func() { os.Exit(transcribed(func() int { return run(helperArgs(os.Args), os.Stdout, os.Stderr) })) }
	// Every name authwrap answers to: run by any other, the test binary
	// would run the tests again (and a test that runs it, again).
	cmds := map[string]func(){"authwrap": main}
	for name := range helperNames {
		cmds[name] = main
	}
	maps.Copy(cmds, testCmds)
	testscript.Main(m, cmds)
}

// testCmds are further programs the test binary can be run as, for
// scripts' shell code; some systems add their own.
var testCmds = map[string]func(){"authkit-requests": authkitRequestsMain}

// authkitRequestsMain prints how many requests an endpoint of the server
// at AUTHWRAP_API_URL has had; with a number, it first waits (up to 10 s)
// until there were at least that many. A shell script uses it to act
// when authwrap has reached a step, instead of sleeping:
//
//	authkit-requests ENDPOINT [AT-LEAST]
func authkitRequestsMain() {
	fail := func(format string, a ...any) {
		fmt.Fprintf(os.Stderr, "authkit-requests: "+format+"\n", a...)
		os.Exit(1)
	}
	if len(os.Args) < 2 || len(os.Args) > 3 {
		fail("usage: authkit-requests ENDPOINT [AT-LEAST]")
	}
	atLeast := 0
	if len(os.Args) == 3 {
		var err error
		if atLeast, err = strconv.Atoi(os.Args[2]); err != nil {
			fail("%v", err)
		}
	}
	for start := time.Now(); ; time.Sleep(10 * time.Millisecond) {
		resp, err := http.Get(os.Getenv("AUTHWRAP_API_URL") + "/_authkittest/stats")
		if err != nil {
			fail("%v", err)
		}
		var stats struct{ Requests map[string]int }
		err = json.NewDecoder(resp.Body).Decode(&stats)
		resp.Body.Close()
		if err != nil {
			fail("%v", err)
		}
		if n := stats.Requests[os.Args[1]]; n >= atLeast {
			fmt.Println(n)
			return
		}
		if time.Since(start) > 10*time.Second {
			fail("%s had %d requests after 10 s, want at least %d", os.Args[1], stats.Requests[os.Args[1]], atLeast)
		}
	}
}

// deadProxy is a loopback port where nothing listens.
const deadProxy = "http://127.0.0.1:9"

// isolatedEnv is the environment every test runs authwrap in: its own
// home and XDG directories under home, the file keyring with a fixed
// passphrase, no prompting, no browser, no colour, and any request that
// is not to loopback sent to a proxy port where nothing listens, so that
// nothing a test runs can reach a real host (Go never proxies loopback;
// curl and git honour no_proxy).
func isolatedEnv(home string) map[string]string {
	return map[string]string{
		"HOME":                     home,
		"XDG_CONFIG_HOME":          filepath.Join(home, ".config"),
		"XDG_STATE_HOME":           filepath.Join(home, ".local", "state"),
		"XDG_DATA_HOME":            filepath.Join(home, ".local", "share"),
		"AUTHWRAP_KEYRING_BACKEND": "file",
		"AUTHWRAP_FILE_PASSPHRASE": "test-passphrase",
		"AUTHWRAP_NO_PROMPT":       "1",
		"AUTHWRAP_KEEP_WARM":       "0", // warm_linux_test.go turns it on
		// Whatever runs the tests (a CI system) says nothing here: the
		// tests that want CI or no prompting set it themselves.
		"CI": "", "GIT_TERMINAL_PROMPT": "",
		// The go command (doctor and setup go run `go env`) otherwise
		// starts its telemetry child, which outlives it and writes under
		// $XDG_CONFIG_HOME/go while the test's directory is being removed.
		// "2" is x/telemetry's "started by a child: start nothing".
		"GO_TELEMETRY_CHILD": "2",
		"BROWSER":            "none",
		"NO_COLOR":           "1",
		"HTTPS_PROXY":        deadProxy, "https_proxy": deadProxy,
		"HTTP_PROXY": deadProxy, "http_proxy": deadProxy,
		"NO_PROXY": "127.0.0.1,localhost,::1", "no_proxy": "127.0.0.1,localhost,::1",
	}
}

// serverEnv is isolatedEnv pointed at srv, as os/exec wants it.
func serverEnv(home string, srv *authkittest.Server, extra ...string) []string {
	env := os.Environ()
	for k, v := range isolatedEnv(home) {
		env = append(env, k+"="+v)
	}
	return append(env, append([]string{"AUTHWRAP_API_URL=" + srv.URL, "AUTHWRAP_CLIENT_ID=" + srv.Config.ClientID}, extra...)...)
}

// marks holds what `authkit mark` counted, by $WORK/ENDPOINT.
var (
	marksMu sync.Mutex
	marks   = map[string]int{}
)

// servers holds each running script's local AuthKit server.
var servers sync.Map // *testscript.TestScript -> *authkittest.Server

// scriptServers holds every server each script started, for the leak
// check at its end.
var scriptServers sync.Map // $WORK -> *serverList

// serverList is a list of servers safe for concurrent use.
type serverList struct {
	mu   sync.Mutex
	list []*authkittest.Server
}

func (l *serverList) add(s *authkittest.Server) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.list = append(l.list, s)
}

// secrets returns every secret the servers issued, and the client
// secrets of their M2M applications.
func (l *serverList) secrets() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, s := range l.list {
		out = append(out, s.IssuedSecrets()...)
		for _, m := range s.Config.Machines {
			out = append(out, m.Secret)
		}
	}
	return out
}

// The M2M application `authkit start machine` serves. Its secret (made
// at the start) has characters form-urlencoding changes, and no prefix a
// token has.
const (
	scriptMachineID  = "client_01CIPIPELINE0000000000000"
	scriptMachineOrg = "org_01CIPIPELINEACME000000000"
)

// TestScripts runs testdata/script/*.txtar: the real binary, with stdin,
// stdout, stderr and exit status asserted, against a local AuthKit server
// each script starts with `authkit start`. At the end of each script,
// every secret its servers issued is looked for in the argv, stdout and
// stderr of every authwrap run and in every file under its home.
func TestScripts(t *testing.T) {
	t.Parallel()
	// backend_keyctl and the keyctl probe use the user's real kernel
	// keyring: what they add there goes when the scripts end.
	t.Cleanup(testkeys.Forget(app))
	testscript.Run(t, testscript.Params{
		Dir: filepath.Join("testdata", "script"),
		Setup: func(e *testscript.Env) error {
			home := filepath.Join(e.WorkDir, "home")
			if err := os.MkdirAll(home, 0o700); err != nil {
				return err
			}
			for k, v := range isolatedEnv(home) {
				e.Setenv(k, v)
			}
			transcripts := filepath.Join(e.WorkDir, ".transcripts")
			if err := os.Mkdir(transcripts, 0o700); err != nil {
				return err
			}
			e.Setenv(transcriptVar, transcripts)
			e.Defer(func() {
				started, ok := scriptServers.LoadAndDelete(e.WorkDir)
				if !ok {
					return
				}
				if err := checkTranscripts(transcripts, home, started.(*serverList).secrets()); err != nil {
					e.T().Fatal(err)
				}
			})
			return nil
		},
		Condition: func(cond string) (bool, error) {
			if cond == "mountns" {
				// A user and mount namespace lets a script mount a small
				// tmpfs (a disk that fills) without touching the host.
				// AUTHWRAP_REQUIRE_NAMESPACES=1 (CI) fails instead of skipping.
				if os.Getenv("AUTHWRAP_REQUIRE_NAMESPACES") == "1" {
					return true, nil
				}
				return exec.Command("unshare", "-rm", "true").Run() == nil, nil
			}
			if cond != "keyctl" {
				return false, fmt.Errorf("unknown condition %q", cond)
			}
			// With AUTHWRAP_REQUIRE_KEYCTL=1 (CI) a broken keyctl fails the
			// script instead of skipping it.
			if os.Getenv("AUTHWRAP_REQUIRE_KEYCTL") == "1" {
				return true, nil
			}
			_, err := helper.OpenStore(helper.StoreOptions{App: app, Backend: "keyctl"})
			return err == nil, nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"authkit":     authkitCmd,
			"raw-session": rawSessionCmd,
			"gitserver":   gitserverCmd,
			"tfregistry":  tfregistryCmd,
			"proxy":       proxyCmd,
			"runhints":    runhintsCmd,
		},
	})
}

// authkitCmd drives the script's local server:
//
//	authkit start [interval=1s] [code-ttl=D] [access-ttl=D] [grace=D] [auto-approve=D] [issuer] [tls] [choose-org] [machine]
//	authkit require CODE            the next approved sign-in answers with this pending-authentication code
//	authkit approve|deny|expire     act on the oldest pending code (waits up to 10 s for one)
//	authkit count ENDPOINT N        assert the requests an endpoint received
//	authkit mark ENDPOINT           remember how many requests the endpoint has had
//	authkit count-new ENDPOINT N    assert the requests it received since the mark
//	authkit slowdowns N             assert the slow_down answers sent
//	authkit fail ENDPOINT STATUS|drop|drop-after|delay-after:D [RETRY-AFTER|-] [COUNT]
//	authkit fail ENDPOINT redirect:STATUS:URL|escapes|escapes-5xx|escapes-status|token-crlf  a hostile answer
//	authkit fail ENDPOINT date-skew:D  the normal answer with its Date header D from now
//	authkit disable-machine         the M2M application (start machine) may no longer use the grant
//	authkit revoke                  end every session on the server
//	authkit stop                    take the server down
func authkitCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("authkit does not take !")
	}
	if len(args) == 0 {
		ts.Fatalf("usage: authkit start|approve|deny|expire|count|slowdowns|fail|revoke|stop")
	}
	if args[0] == "start" {
		cfg := authkittest.Config{Interval: time.Second}
		issuer, useTLS := false, false
		for _, a := range args[1:] {
			k, v, _ := strings.Cut(a, "=")
			var d time.Duration
			if v != "" {
				var err error
				d, err = time.ParseDuration(v)
				ts.Check(err)
			}
			switch k {
			case "interval":
				cfg.Interval = d
			case "code-ttl":
				cfg.CodeTTL = d
			case "access-ttl":
				cfg.AccessTokenTTL = d
			case "grace":
				cfg.RefreshGrace = d
			case "auto-approve":
				cfg.AutoApprove = d
			case "issuer":
				issuer = true
			case "choose-org":
				cfg.OrganizationSelection = true
			case "machine":
				// An M2M application; the script passes its secret on
				// as CI would: AUTHWRAP_CLIENT_SECRET=$AUTHKIT_MACHINE_SECRET.
				// The secret is made here, so that it is in no file (the test
				// binary, which a script may link to, included).
				cfg.Machines = map[string]authkittest.Machine{scriptMachineID: {Secret: "m2m+ci/S3cr%t=" + rand.Text(),
					OrganizationID: scriptMachineOrg, Scopes: []string{"deploy:read"}}}
			case "tls":
				// https with a certificate for authkit.test from a private CA
				// written to $WORK/ca.pem; reach it through `proxy start`.
				useTLS = true
			default:
				ts.Fatalf("authkit start: unknown setting %q", k)
			}
		}
		if useTLS {
			cfg.TLS = newTestCA(ts, filepath.Join(ts.Getenv("WORK"), "ca.pem"))
		}
		srv := authkittest.NewServer(cfg)
		servers.Store(ts, srv)
		started, _ := scriptServers.LoadOrStore(ts.Getenv("WORK"), &serverList{})
		started.(*serverList).add(srv)
		if len(cfg.Machines) > 0 {
			ts.Setenv("AUTHKIT_MACHINE_ID", scriptMachineID)
			ts.Setenv("AUTHKIT_MACHINE_SECRET", cfg.Machines[scriptMachineID].Secret)
			ts.Setenv("AUTHKIT_MACHINE_ORG", scriptMachineOrg)
		}
		ts.Defer(srv.Close)
		url := srv.URL
		if useTLS {
			url = "https://" + testHost + ":" + url[strings.LastIndex(url, ":")+1:]
		}
		ts.Setenv("AUTHKIT_URL", url)
		ts.Setenv("AUTHKIT_URL_PORT", url[strings.LastIndex(url, ":")+1:])
		ts.Setenv("AUTHWRAP_CLIENT_ID", srv.Config.ClientID)
		if issuer {
			ts.Setenv("AUTHWRAP_ISSUER", url)
		} else {
			ts.Setenv("AUTHWRAP_API_URL", url)
		}
		return
	}
	v, ok := servers.Load(ts)
	if !ok {
		ts.Fatalf("authkit %s: no server; run authkit start first", args[0])
	}
	srv := v.(*authkittest.Server)
	switch args[0] {
	case "approve", "deny", "expire":
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		code, err := srv.WaitPending(ctx)
		if err != nil {
			ts.Fatalf("authkit %s: no sign-in became pending: %v", args[0], err)
		}
		act := map[string]func(string) error{"approve": srv.Approve, "deny": srv.Deny, "expire": srv.Expire}[args[0]]
		ts.Check(act(code))
	case "require":
		if len(args) != 2 {
			ts.Fatalf("usage: authkit require CODE")
		}
		srv.RequirePending(args[1])
	case "count", "count-new":
		if len(args) != 3 {
			ts.Fatalf("usage: authkit count|count-new ENDPOINT N")
		}
		want, err := strconv.Atoi(args[2])
		ts.Check(err)
		got := srv.Requests(authkittest.Endpoint(args[1]))
		if args[0] == "count-new" {
			marksMu.Lock()
			got -= marks[ts.Getenv("WORK")+"/"+args[1]]
			marksMu.Unlock()
		}
		if got != want {
			ts.Fatalf("%s requests = %d, want %d", args[1], got, want)
		}
	case "mark":
		if len(args) != 2 {
			ts.Fatalf("usage: authkit mark ENDPOINT")
		}
		marksMu.Lock()
		marks[ts.Getenv("WORK")+"/"+args[1]] = srv.Requests(authkittest.Endpoint(args[1]))
		marksMu.Unlock()
	case "slowdowns":
		want, err := strconv.Atoi(args[1])
		ts.Check(err)
		if got := srv.SlowDowns(); got != want {
			ts.Fatalf("slow_down answers = %d, want %d", got, want)
		}
	case "fail":
		if len(args) < 3 {
			ts.Fatalf("usage: authkit fail ENDPOINT STATUS [RETRY-AFTER] [COUNT]")
		}
		var f authkittest.Fault
		switch args[2] {
		case "drop":
			f.Drop = true
		case "drop-after":
			f.Drop, f.AfterProcessing = true, true
		case "escapes":
			// An error whose description and message are escape sequences.
			f = authkittest.ErrorAnswer(400, "invalid_request", "bad request "+authkittest.Escapes)
		case "escapes-5xx":
			f = authkittest.ErrorAnswer(503, "server_error", "down "+authkittest.Escapes)
		case "escapes-status":
			// A status line whose reason phrase is escape sequences.
			f = authkittest.RawAnswer(503, "Oops"+authkittest.Escapes, []string{"Content-Type: application/json"}, `{"error":"server_error"}`)
		case "token-crlf":
			f = authkittest.TokenAnswer("eyJhbGciOiJub25lIn0.e30.\r\nX-Injected: yes")
		default:
			if loc, ok := strings.CutPrefix(args[2], "redirect:"); ok {
				// redirect:STATUS:URL
				code, target, _ := strings.Cut(loc, ":")
				status, err := strconv.Atoi(code)
				ts.Check(err)
				f = authkittest.Redirect(status, target)
				break
			}
			if d, ok := strings.CutPrefix(args[2], "date-skew:"); ok {
				// The normal answer, with a Date header this far from now.
				skew, err := time.ParseDuration(d)
				ts.Check(err)
				f.Header = http.Header{"Date": {time.Now().Add(skew).UTC().Format(http.TimeFormat)}}
				break
			}
			if d, ok := strings.CutPrefix(args[2], "delay-after:"); ok {
				var err error
				f.Delay, err = time.ParseDuration(d)
				ts.Check(err)
				f.AfterProcessing = true
				break
			}
			status, err := strconv.Atoi(args[2])
			ts.Check(err)
			f.Status = status
		}
		if len(args) > 3 && args[3] != "-" {
			f.RetryAfter = args[3]
		}
		n := 1
		if len(args) > 4 {
			var err error
			n, err = strconv.Atoi(args[4])
			ts.Check(err)
		}
		for range n {
			srv.Fail(authkittest.Endpoint(args[1]), f)
		}
	case "claim":
		// authkit claim FILE NAME WANT: the JWT in FILE, verified with the
		// server's key, has claim NAME = WANT.
		if len(args) != 4 {
			ts.Fatalf("usage: authkit claim FILE NAME WANT")
		}
		tok, err := jwt.ParseSigned(strings.TrimSpace(ts.ReadFile(args[1])), []jose.SignatureAlgorithm{jose.RS256})
		ts.Check(err)
		claims := map[string]any{}
		ts.Check(tok.Claims(srv.PublicKey(), &claims))
		if got := fmt.Sprint(claims[args[2]]); got != args[3] {
			ts.Fatalf("claim %s = %q, want %q", args[2], got, args[3])
		}
	case "disable-machine":
		ts.Check(srv.DisableMachine(scriptMachineID))
	case "revoke":
		srv.RevokeSessions()
	case "stop":
		srv.Close()
	default:
		ts.Fatalf("authkit: unknown subcommand %q", args[0])
	}
}

// rawSessionCmd writes bytes straight into the file keyring item that
// holds a profile's session, as another program or a truncated write
// would:
//
//	raw-session PROFILE FILE
func rawSessionCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: raw-session PROFILE FILE")
	}
	ring, err := keyring.Open(keyring.Config{
		AllowedBackends:  []keyring.BackendType{keyring.FileBackend},
		FileDir:          filepath.Join(ts.Getenv("XDG_DATA_HOME"), "authwrap", "keyring"),
		FilePasswordFunc: keyring.FixedStringPrompt(ts.Getenv("AUTHWRAP_FILE_PASSPHRASE")),
	})
	ts.Check(err)
	// "session.<profile>" is helper's item key.
	ts.Check(ring.Set(keyring.Item{Key: "session." + args[0], Data: []byte(ts.ReadFile(args[1]))}))
}

// copyFile copies src to dst with mode perm (links it when the modes match).
func copyFile(src, dst string, perm os.FileMode) error {
	// A hard link where it can be: a copy is written through a descriptor
	// that a process another test forks at that moment holds until it
	// execs, and running the copy then fails with "text file busy".
	if fi, err := os.Stat(src); err == nil && fi.Mode().Perm() == perm && os.Link(src, dst) == nil {
		return nil
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
