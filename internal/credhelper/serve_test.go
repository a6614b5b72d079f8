package credhelper

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authwrap/authwrap/flow"
	"github.com/authwrap/authwrap/helper"
)

// oneSession is a Store holding one fresh session.
type oneSession struct {
	mu sync.Mutex
	s  *helper.Session
}

func (o *oneSession) Load(string) (*helper.Session, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	cp := *o.s
	return &cp, nil
}
func (o *oneSession) Save(s *helper.Session) error { o.mu.Lock(); o.s = s; o.mu.Unlock(); return nil }
func (o *oneSession) Delete(string) error          { return nil }

// serveFresh starts a TokenServer over a session holding "at_fresh".
func serveFresh(t *testing.T) *TokenServer {
	t.Helper()
	needUnixSockets(t)
	p := helper.Profile{Name: "default", ClientID: "client_t", APIURL: "http://127.0.0.1:1"}
	store := &oneSession{s: &helper.Session{Profile: "default", Server: p.Server(), ClientID: p.ClientID,
		AccessToken: flow.Secret("at_fresh"), Expiry: time.Now().Add(time.Hour)}}
	m := &helper.Manager{Profile: p, Store: store, LockDir: t.TempDir()}
	srv, err := ServeTokens(m, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

// socketClient is an HTTP client that reaches every URL over the socket
// at path, as curl --unix-socket does.
func socketClient(path string) *http.Client {
	return &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", path)
		}}}
}

// ask sends GET url over srv's socket with the given Authorization header
// and returns the status and body.
func ask(t *testing.T, srv *TokenServer, url, auth string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := socketClient(srv.Socket).Do(req)
	if err != nil {
		t.Fatalf("GET %s over %s: %v", url, srv.Socket, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// TestServeTokensSocket: the endpoint is a Unix socket in a directory of
// its own that only this user may enter (under $XDG_RUNTIME_DIR when that
// is private, never when it is not), answers the secret's holder whatever
// host the URL names and nobody else, and once closed leaves neither
// socket nor directory behind.
func TestServeTokensSocket(t *testing.T) {
	runtimeDir := shortTempDir(t)
	if runtime.GOOS != "windows" {
		t.Setenv("XDG_RUNTIME_DIR", runtimeDir)
	}
	srv := serveFresh(t)
	dir := filepath.Dir(srv.Socket)
	if srv.URL != "http://localhost/token" {
		t.Errorf("URL %q, want http://localhost/token", srv.URL)
	}
	if runtime.GOOS != "windows" {
		if filepath.Dir(dir) != runtimeDir {
			t.Errorf("socket %s is not in the private $XDG_RUNTIME_DIR %s", srv.Socket, runtimeDir)
		}
		for path, want := range map[string]os.FileMode{dir: os.ModeDir | 0o700, srv.Socket: os.ModeSocket | 0o600} {
			fi, err := os.Lstat(path)
			if err != nil {
				t.Fatal(err)
			}
			if got := fi.Mode() & (os.ModeType | os.ModePerm); got != want {
				t.Errorf("%s: mode %v, want %v", path, got, want)
			}
		}
	}
	if code, body := ask(t, srv, srv.URL, srv.Auth); code != 200 || body != "at_fresh\n" {
		t.Errorf("with the secret: %d %q", code, body)
	}
	// Any name for the host: no browser page can reach a Unix socket.
	if code, body := ask(t, srv, "http://authwrap.invalid/token", srv.Auth); code != 200 || body != "at_fresh\n" {
		t.Errorf("with the secret and another host name: %d %q", code, body)
	}
	for _, auth := range []string{"", "Bearer wrong", strings.TrimPrefix(srv.Auth, "Bearer ")} {
		if code, body := ask(t, srv, srv.URL, auth); code != 401 || strings.Contains(body, "at_fresh") {
			t.Errorf("Authorization %q: %d %q", auth, code, body)
		}
	}

	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{srv.Socket, dir} {
		if _, err := os.Lstat(path); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s after Close: %v, want it gone", path, err)
		}
	}
	if _, err := net.Dial("unix", srv.Socket); err == nil {
		t.Error("the socket still answers after Close")
	}
	if err := srv.Close(); err != nil {
		t.Errorf("a second Close: %v", err)
	}
}

// TestServeTokensRuntimeDirNotPrivate: an $XDG_RUNTIME_DIR others may
// enter is passed over for the temporary directory.
func TestServeTokensRuntimeDirNotPrivate(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no $XDG_RUNTIME_DIR on Windows")
	}
	shared := shortTempDir(t)
	if err := os.Chmod(shared, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("XDG_RUNTIME_DIR", shared)
	srv := serveFresh(t)
	if strings.HasPrefix(srv.Socket, shared+string(filepath.Separator)) {
		t.Errorf("socket %s is in $XDG_RUNTIME_DIR %s, which others may enter", srv.Socket, shared)
	}
	if filepath.Dir(filepath.Dir(srv.Socket)) != filepath.Clean(os.TempDir()) {
		t.Errorf("socket %s is not in the temporary directory %s", srv.Socket, os.TempDir())
	}
}

// TestServeTokensPathTooLong: a temporary directory whose path leaves no
// room for a socket's is passed over for /tmp, and nothing is left in it.
func TestServeTokensPathTooLong(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the temporary directory comes from TMP there, with no fallback")
	}
	long := shortTempDir(t)
	deep := filepath.Join(long, strings.Repeat("d", 60), strings.Repeat("e", 60))
	if err := os.MkdirAll(deep, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("XDG_RUNTIME_DIR", "")
	t.Setenv("TMPDIR", deep)
	srv := serveFresh(t)
	if filepath.Dir(filepath.Dir(srv.Socket)) != "/tmp" {
		t.Errorf("socket %s with TMPDIR=%s, want it in /tmp", srv.Socket, deep)
	}
	if code, body := ask(t, srv, srv.URL, srv.Auth); code != 200 || body != "at_fresh\n" {
		t.Errorf("with the secret: %d %q", code, body)
	}
	if left, _ := filepath.Glob(filepath.Join(deep, "authwrap-*")); len(left) != 0 {
		t.Errorf("left behind in TMPDIR: %v", left)
	}
}

// needUnixSockets skips a test on a Windows without AF_UNIX sockets
// (before Windows 10 version 1803, or wine 8, where CI runs the Windows
// tests).
func needUnixSockets(t *testing.T) {
	t.Helper()
	if runtime.GOOS != "windows" {
		return
	}
	l, err := net.Listen("unix", filepath.Join(shortTempDir(t), "probe"))
	if err != nil {
		t.Skipf("no Unix sockets on this Windows: %v", err)
	}
	l.Close()
}

// shortTempDir is a private temporary directory with a short path, for
// sockets (t.TempDir's names are long on macOS).
func shortTempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "aw")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir
}

// TestServeTokensUnderSiege: a client of this user's holding thousands of
// idle connections to exec --serve's endpoint (and more that sent a
// request without the secret, or half a request) does not keep the
// command's own requests from an answer, and the endpoint does not keep
// them all open, so it never runs out of descriptors.
func TestServeTokensUnderSiege(t *testing.T) {
	srv := serveFresh(t)

	const idle = 3000
	var held []net.Conn
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	for i := range idle {
		c, err := net.Dial("unix", srv.Socket)
		if err != nil {
			t.Fatalf("idle connection %d: %v", i, err)
		}
		if i%10 == 0 {
			// Some send a request without the secret, then sit there.
			_, _ = io.WriteString(c, "GET /token HTTP/1.1\r\nHost: localhost\r\n\r\n")
		} else if i%10 == 1 {
			_, _ = io.WriteString(c, "GET /token HTTP/1.1\r\n") // half a request head
		}
		held = append(held, c)
	}

	// The command's own requests, with a deadline: the endpoint answers
	// them while every idle connection is still held open on its side.
	start := time.Now()
	for range 3 {
		if code, body := ask(t, srv, srv.URL, srv.Auth); code != 200 || body != "at_fresh\n" {
			t.Fatalf("answer %d %q", code, body)
		}
	}
	// A figure for the record (not asserted): three requests under siege.
	t.Logf("3 requests answered in %s with %d idle connections held", time.Since(start).Round(time.Millisecond), idle)
	// Once the endpoint has taken every connection from the system's
	// queue, it holds no more than its cap.
	for start := time.Now(); ; time.Sleep(10 * time.Millisecond) {
		srv.mu.Lock()
		accepted, open := srv.accepted, len(srv.conns)
		srv.mu.Unlock()
		if accepted >= idle+3 {
			if open > serveMaxConns+1 {
				t.Errorf("the endpoint keeps %d connections open, want at most %d", open, serveMaxConns+1)
			}
			break
		}
		if time.Since(start) > 20*time.Second {
			t.Fatalf("only %d of %d connections accepted", accepted, idle+3)
		}
	}
}
