package helper

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authwrap/authwrap/flow"
	"github.com/authwrap/authwrap/flow/authkittest"
)

var faultReport = flag.String("faultreport", "",
	"run TestFaults with the real timeouts and write its table (Markdown) to this file")

// rawFault is a misbehaviour below HTTP, played on the token endpoint by
// faultServer once armed.
type rawFault int32

const (
	passThrough rawFault = iota
	hang                 // read the request, never answer
	resetOnce            // half an answer, then a TCP reset; later requests pass
	resetAlways          // the same for every request
	endless              // 200 with a 2 GB body
)

// faultServer is the local AuthKit server behind a handler that can play
// raw faults on the token endpoint.
type faultServer struct {
	*httptest.Server
	ak   *authkittest.Server
	mode atomic.Int32
}

func newFaultServer(t *testing.T, tls bool) *faultServer {
	fs := &faultServer{ak: authkittest.NewServer(authkittest.Config{Interval: time.Second,
		AutoApprove: 10 * time.Millisecond, RefreshGrace: time.Minute})}
	t.Cleanup(fs.ak.Close)
	next := fs.ak.Handler()
	fs.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/user_management/authenticate" {
			next.ServeHTTP(w, r)
			return
		}
		switch rawFault(fs.mode.Load()) {
		case hang:
			// With the body read, the server notices the client leaving.
			_, _ = io.Copy(io.Discard, r.Body)
			<-r.Context().Done()
		case resetOnce, resetAlways:
			fs.mode.CompareAndSwap(int32(resetOnce), int32(passThrough))
			conn, buf, err := http.NewResponseController(w).Hijack()
			if err != nil {
				panic(err)
			}
			_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 4096\r\n\r\n{\"access_token\":\"eyJ")
			_ = buf.Flush()
			if tc, ok := conn.(*net.TCPConn); ok {
				_ = tc.SetLinger(0) // close with RST
			}
			_ = conn.Close()
		case endless:
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Length", "2147483648")
			chunk := []byte(strings.Repeat("a", 32<<10))
			_, _ = w.Write([]byte(`{"access_token":"`))
			for sent := 0; sent < 2<<30; sent += len(chunk) {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		default:
			next.ServeHTTP(w, r)
		}
	}))
	if tls {
		fs.StartTLS()
	} else {
		fs.Start()
	}
	t.Cleanup(fs.Close)
	return fs
}

// faultCase is one fault and what must come of it.
type faultCase struct {
	fault string
	// signIn: the fault hits a sign-in with no session; otherwise a
	// refresh of a stored session whose access token has expired.
	signIn bool
	// arm sets the fault up (after the sign-in, for a refresh case) and
	// may return the URL to use instead of the server's.
	arm func(fs *faultServer) (url string)
	// tls serves over TLS; the client trusts the server's certificate.
	tls bool
	// want checks the outcome; "" means as expected.
	want func(err error) string
	// after is the stored session afterwards: kept (unchanged), replaced
	// (refreshed), deleted, or none.
	after string
	// bound names the limit that ends the wait, for the report.
	bound string
}

func failWith(faults ...authkittest.Fault) func(*faultServer) string {
	return func(fs *faultServer) string { fs.ak.Fail(authkittest.Refresh, faults...); return "" }
}

func raw(f rawFault) func(*faultServer) string {
	return func(fs *faultServer) string { fs.mode.Store(int32(f)); return "" }
}

func times(n int, f authkittest.Fault) []authkittest.Fault {
	out := make([]authkittest.Fault, n)
	for i := range out {
		out[i] = f
	}
	return out
}

func wantOK(err error) string {
	if err != nil {
		return fmt.Sprintf("want success, got %v", err)
	}
	return ""
}

func wantErr(is ...error) func(error) string {
	return func(err error) string {
		if err == nil {
			return "want an error, got success"
		}
		for _, target := range is {
			if !errors.Is(err, target) {
				return fmt.Sprintf("want an error that is %v, got %v", target, err)
			}
		}
		return ""
	}
}

func wantText(sub string, is ...error) func(error) string {
	return func(err error) string {
		if msg := wantErr(is...)(err); msg != "" {
			return msg
		}
		if !strings.Contains(err.Error(), sub) {
			return fmt.Sprintf("want an error saying %q, got %v", sub, err)
		}
		return ""
	}
}

// TestFaults runs every server and network fault against a sign-in or a
// refresh through a Manager, with no deadline of its own: each ends by
// itself, as a success or a clear error, and the stored session survives
// unless the server said invalid_grant. With -faultreport FILE it uses the
// real timeouts (15 s a request, 20 s a refresh) and writes the table with
// the time each took; otherwise 2 s and 5 s, to keep the suite quick.
func TestFaults(t *testing.T) {
	reqTimeout, refreshTimeout := 2*time.Second, 5*time.Second
	if *faultReport != "" {
		reqTimeout, refreshTimeout = requestTimeout, defaultRefreshTimeout
	}
	perRequest := fmt.Sprintf("%s a request", reqTimeout)
	perRefresh := fmt.Sprintf("%s a refresh (3 attempts)", refreshTimeout)
	status := func(code int, retryAfter string) authkittest.Fault {
		return authkittest.Fault{Status: code, RetryAfter: retryAfter}
	}
	body := func(contentType, b string) authkittest.Fault {
		return authkittest.Fault{Status: 200, ContentType: contentType, Body: b}
	}
	cases := []faultCase{
		{fault: "connection refused", arm: func(fs *faultServer) string { fs.Close(); return "" },
			want: wantErr(flow.ErrTransient), after: "kept", bound: "3 attempts, 0.5 s and 1 s apart"},
		{fault: "connection reset mid-answer, every time", arm: raw(resetAlways),
			want: wantErr(flow.ErrTransient), after: "kept", bound: "3 attempts"},
		{fault: "connection reset mid-answer, once", arm: raw(resetOnce),
			want: wantOK, after: "replaced", bound: "retried after 0.5 s"},
		{fault: "accepts, never answers", arm: raw(hang),
			want: wantText("gave up after", flow.ErrTransient), after: "kept", bound: perRefresh},
		{fault: "500, every time", arm: failWith(times(3, status(500, ""))...),
			want: wantErr(flow.ErrTransient), after: "kept", bound: "3 attempts"},
		{fault: "502, every time", arm: failWith(times(3, status(502, ""))...),
			want: wantErr(flow.ErrTransient), after: "kept", bound: "3 attempts"},
		{fault: "503, every time", arm: failWith(times(3, status(503, ""))...),
			want: wantErr(flow.ErrTransient), after: "kept", bound: "3 attempts"},
		{fault: "503 once", arm: failWith(status(503, "")),
			want: wantOK, after: "replaced", bound: "retried after 0.5 s"},
		{fault: "429 with Retry-After: 1, once", arm: failWith(status(429, "1")),
			want: wantOK, after: "replaced", bound: "Retry-After honoured up to 5 s"},
		{fault: "429 with Retry-After: 3600", arm: failWith(status(429, "3600")),
			want: wantErr(flow.ErrTransient), after: "kept", bound: "Retry-After over 5 s: no wait"},
		{fault: "429 without Retry-After, every time", arm: failWith(times(3, status(429, ""))...),
			want: wantErr(flow.ErrTransient), after: "kept", bound: "3 attempts"},
		{fault: "200 with an HTML page", arm: failWith(body("text/html", "<html><body>Sign in</body></html>")),
			want: wantErr(flow.ErrBadResponse), after: "kept", bound: "first answer"},
		{fault: "200 with a 2 GB body", arm: raw(endless),
			want: wantText("1048576", flow.ErrBadResponse), after: "kept", bound: "1 MiB read limit"},
		{fault: "JSON with the wrong types", arm: failWith(body("application/json", `{"access_token":123,"refresh_token":["x"],"expires_in":"soon"}`)),
			want: wantErr(flow.ErrBadResponse), after: "kept", bound: "first answer"},
		{fault: "no access token", arm: failWith(body("application/json", `{"refresh_token":"rt_new","token_type":"Bearer"}`)),
			want: wantErr(flow.ErrBadResponse), after: "kept", bound: "first answer"},
		{fault: "access token is not a JWT, no expires_in", arm: failWith(body("application/json", `{"access_token":"opaque.not-a-jwt","refresh_token":"rt_new"}`)),
			want: wantErr(flow.ErrBadResponse), after: "kept", bound: "first answer"},
		{fault: "invalid_grant (session revoked)", arm: failWith(authkittest.Fault{Status: 400, ContentType: "application/json",
			Body: `{"error":"invalid_grant","error_description":"Session has already ended."}`}),
			want: wantErr(ErrNotSignedIn), after: "deleted", bound: "first answer"},

		{fault: "connection refused", signIn: true, arm: func(fs *faultServer) string { fs.Close(); return "" },
			want: wantErr(flow.ErrTransient), after: "none", bound: "first attempt"},
		{fault: "accepts, never answers", signIn: true, arm: func(fs *faultServer) string {
			fs.ak.Fail(authkittest.DeviceAuthorization, authkittest.Fault{Delay: time.Hour})
			return ""
		}, want: wantErr(flow.ErrTransient), after: "none", bound: perRequest},
		{fault: "503", signIn: true, arm: func(fs *faultServer) string {
			fs.ak.Fail(authkittest.DeviceAuthorization, status(503, ""))
			return ""
		}, want: wantErr(flow.ErrTransient), after: "none", bound: "first answer"},
		{fault: "200 with an HTML page", signIn: true, arm: func(fs *faultServer) string {
			fs.ak.Fail(authkittest.DeviceAuthorization, body("text/html", "<html>captive portal</html>"))
			return ""
		}, want: wantErr(flow.ErrBadResponse), after: "none", bound: "first answer"},
		{fault: "503 and a reset while polling, then approval", signIn: true, arm: func(fs *faultServer) string {
			fs.ak.Fail(authkittest.Poll, status(503, ""), authkittest.Fault{Drop: true})
			return ""
		}, want: wantOK, after: "replaced", bound: "polling goes on until the code expires"},
		{fault: "TLS certificate for another name", signIn: true, tls: true, arm: func(fs *faultServer) string {
			return strings.Replace(fs.URL, "127.0.0.1", "localhost", 1)
		}, want: func(err error) string {
			var ce *flow.CertificateError
			if !errors.As(err, &ce) {
				return fmt.Sprintf("want a *flow.CertificateError, got %v", err)
			}
			return ""
		}, after: "none", bound: "first attempt, not retried"},
	}

	var (
		mu   sync.Mutex
		rows []string
	)
	t.Run("group", func(t *testing.T) {
		for i, tc := range cases {
			name := map[bool]string{true: "sign-in", false: "refresh"}[tc.signIn] + ": " + tc.fault
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				took, got := runFault(t, tc, reqTimeout, refreshTimeout)
				mu.Lock()
				defer mu.Unlock()
				rows = append(rows, fmt.Sprintf("%03d| %s | %s | %s | %s | %s | %s |", i,
					map[bool]string{true: "sign-in", false: "refresh"}[tc.signIn], tc.fault, got,
					roundTook(took), tc.bound, tc.after))
			})
		}
	})
	if *faultReport == "" {
		return
	}
	sort.Strings(rows)
	var b strings.Builder
	b.WriteString("| step | fault | outcome | took | bound | stored session |\n|---|---|---|---|---|---|\n")
	for _, r := range rows {
		b.WriteString("|" + r[4:] + "\n")
	}
	if err := os.WriteFile(*faultReport, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// loopbackPort finds loopback addresses, whose ports change every run.
var loopbackPort = regexp.MustCompile(`(127\.0\.0\.1|localhost):\d+`)

// runFault plays one case and checks it; it returns how long the faulted
// call took and its outcome as the report shows it.
func runFault(t *testing.T, tc faultCase, reqTimeout, refreshTimeout time.Duration) (time.Duration, string) {
	ctx := context.Background()
	fs := newFaultServer(t, tc.tls)
	store, err := OpenStore(StoreOptions{App: "authwrap", Backend: "file", FileDir: t.TempDir(),
		Passphrase: func(string) (string, error) { return "pw", nil }})
	if err != nil {
		t.Fatal(err)
	}
	url := fs.URL
	if tc.signIn {
		if u := tc.arm(fs); u != "" {
			url = u
		}
	}
	p := Profile{Name: "p", ClientID: authkittest.DefaultClientID, APIURL: url}
	m, err := New(Options{App: "authwrap-faults", Profile: p, Store: store, StateDir: t.TempDir(),
		HTTPClient: fs.Client(), Prompter: PromptFunc(func(context.Context, SignIn) func(error) { return func(error) {} })})
	if err != nil {
		t.Fatal(err)
	}
	m.RefreshTimeout = refreshTimeout
	c, err := newClient(ctx, "authwrap-faults", p, fs.Client())
	if err != nil {
		t.Fatal(err)
	}
	c.RequestTimeout = reqTimeout
	m.Auth = c

	var before *Session
	if !tc.signIn {
		s, err := m.Login(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := m.Invalidate(ctx, s.AccessToken); err != nil {
			t.Fatal(err)
		}
		if before, err = store.Load("p"); err != nil {
			t.Fatal(err)
		}
		tc.arm(fs)
		// As in a script: no sign-in on demand when the session ends.
		m.Prompter = nil
	}

	start := time.Now()
	if tc.signIn {
		_, err = m.Login(ctx)
	} else {
		_, err = m.Token(ctx, time.Minute)
	}
	took := time.Since(start)
	if msg := tc.want(err); msg != "" {
		t.Error(msg)
	}

	after, lerr := store.Load("p")
	var state string
	switch {
	case errors.Is(lerr, ErrNoSession) && before == nil:
		state = "none"
	case errors.Is(lerr, ErrNoSession):
		state = "deleted"
	case lerr != nil:
		t.Fatalf("the stored session cannot be read after the fault: %v", lerr)
	case before != nil && after.RefreshToken == before.RefreshToken && after.AccessToken == before.AccessToken:
		state = "kept"
	default:
		state = "replaced"
	}
	if state != tc.after {
		t.Errorf("stored session: %s, want %s", state, tc.after)
	}
	outcome := "success"
	if err != nil {
		outcome = "error: " + strings.ReplaceAll(err.Error(), "|", `\|`)
		outcome = loopbackPort.ReplaceAllString(outcome, "$1:PORT")
	}
	return took, outcome
}

// roundTook rounds a duration for the report: to 10 ms from a second up,
// to 1 ms below.
func roundTook(d time.Duration) time.Duration {
	if d >= time.Second {
		return d.Round(10 * time.Millisecond)
	}
	return d.Round(time.Millisecond)
}
