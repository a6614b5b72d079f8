package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/authwrap/authwrap/flow/authkittest"
)

func init() { testCmds["serveflood"] = servefloodMain }

// floodReport is what serveflood prints when it stops.
type floodReport struct {
	Attempts  int64            // connections tried
	Connected int64            // connections the system let through
	Answered  int64            // of those, how many got any byte back
	Errors    map[string]int64 // connect errors, by message
}

// servefloodMain attacks an endpoint as another user would, until its
// stdin closes, then prints a floodReport as JSON:
//
//	serveflood churn|hold unix:PATH|tcp:HOST:PORT
//
// It keeps up to 1000 connections open, opening another as soon as the
// endpoint closes one; with churn, eight more goroutines connect and close
// at once, in a loop. With FLOOD_AUTH set, each held connection sends a
// whole request carrying that Authorization header (as if the secret had
// leaked), to see whether anything answers it.
func servefloodMain() {
	if len(os.Args) != 3 || os.Args[1] != "churn" && os.Args[1] != "hold" {
		fmt.Fprintln(os.Stderr, "usage: serveflood churn|hold unix:PATH|tcp:HOST:PORT")
		os.Exit(2)
	}
	network, addr, _ := strings.Cut(os.Args[2], ":")
	auth := os.Getenv("FLOOD_AUTH")
	var rep floodReport
	var mu sync.Mutex
	rep.Errors = map[string]int64{}
	var stop atomic.Bool
	dial := func() net.Conn {
		atomic.AddInt64(&rep.Attempts, 1)
		c, err := net.DialTimeout(network, addr, time.Second)
		if err != nil {
			msg := err.Error()
			var se syscall.Errno
			if errors.As(err, &se) {
				msg = se.Error()
			}
			mu.Lock()
			rep.Errors[msg]++
			mu.Unlock()
			return nil
		}
		atomic.AddInt64(&rep.Connected, 1)
		return c
	}
	var wg sync.WaitGroup
	if os.Args[1] == "churn" {
		for range 8 {
			wg.Go(func() {
				for !stop.Load() {
					if c := dial(); c != nil {
						_ = c.Close()
					}
				}
			})
		}
	}
	var held sync.Map // net.Conn -> struct{}
	var live atomic.Int64
	wg.Go(func() {
		for !stop.Load() {
			if live.Load() >= 1000 {
				time.Sleep(10 * time.Millisecond)
				continue
			}
			c := dial()
			if c == nil {
				continue
			}
			held.Store(c, struct{}{})
			live.Add(1)
			if auth != "" {
				_, _ = io.WriteString(c, "GET /token HTTP/1.1\r\nHost: localhost\r\nAuthorization: "+auth+"\r\n\r\n")
			}
			go func() {
				// Until the endpoint closes it (or the flood stops).
				if n, _ := c.Read(make([]byte, 1)); n > 0 {
					atomic.AddInt64(&rep.Answered, 1)
				}
				held.Delete(c)
				_ = c.Close()
				live.Add(-1)
			}()
		}
	})
	fmt.Println("flooding")
	_, _ = io.Copy(io.Discard, os.Stdin)
	stop.Store(true)
	wg.Wait()
	held.Range(func(c, _ any) bool { _ = c.(net.Conn).Close(); return true })
	mu.Lock()
	defer mu.Unlock()
	_ = json.NewEncoder(os.Stdout).Encode(&rep)
}

// floodChild is the command `authwrap exec --serve` runs in
// TestServeFloodedByAnotherUser: it says where its endpoint is (a socket,
// or the loopback port authwrap used before, which the flood starved),
// optionally
// opens the way to it for everyone (OPEN_UP=1), waits for the flood to
// start, then asks for 50 tokens, one connection each, and writes a line
// per request to results; it ends once the test has stopped the flood.
const floodChild = `set -u
if [ -n "${AUTHWRAP_TOKEN_SOCKET:-}" ]; then
	if [ "${OPEN_UP:-}" = 1 ]; then
		chmod 755 "$(dirname "$AUTHWRAP_TOKEN_SOCKET")" && chmod 777 "$AUTHWRAP_TOKEN_SOCKET" || exit 9
	fi
	set -- --unix-socket "$AUTHWRAP_TOKEN_SOCKET"
	echo "unix:$AUTHWRAP_TOKEN_SOCKET" > endpoint.tmp
else
	hp=${AUTHWRAP_TOKEN_URL#http://}
	echo "tcp:${hp%/token}" > endpoint.tmp
fi
printf '%s' "$AUTHWRAP_TOKEN_URL_AUTH" > auth
mv endpoint.tmp endpoint
i=0
while [ ! -e go ]; do
	i=$((i+1)); [ $i -gt 400 ] && exit 8
	sleep 0.05
done
for i in $(seq 50); do
	if tok=$(curl -fsS --max-time 20 "$@" -H "Authorization: $AUTHWRAP_TOKEN_URL_AUTH" "$AUTHWRAP_TOKEN_URL" 2>err); then
		case "$tok" in eyJ*) echo ok ;; *) echo "odd answer" ;; esac
	else
		echo "request $i failed: $(cat err)"
	fi
done > results
touch done
i=0
while [ ! -e stop ]; do
	i=$((i+1)); [ $i -gt 1200 ] && exit 8
	sleep 0.05
done
`

// TestServeFloodedByAnotherUser: another user who connects in a loop to
// exec --serve's endpoint and holds as many connections open as it can
// neither keeps the command's own 50 token requests from an answer nor
// gets a connection: the endpoint's directory shuts it out. With the
// directory opened up on purpose (and the secret handed over), the
// endpoint itself closes that user's connections unanswered. It needs
// root (to switch users with setpriv) and skips otherwise.
func TestServeFloodedByAnotherUser(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("needs curl")
	}
	uidN := 65000 + os.Getpid()%500
	uid := strconv.Itoa(uidN)
	root, home := otherUserRoot(t, uidN, "authwrap-flood-", "authwrap", "serveflood")
	// authwrap runs as root here; the other uid only floods.
	if err := os.Chown(home, 0, 0); err != nil {
		t.Fatal(err)
	}
	t.Parallel()
	srv := authkittest.NewServer(authkittest.Config{Interval: time.Second, AutoApprove: time.Millisecond,
		AccessTokenTTL: time.Hour})
	t.Cleanup(srv.Close)
	authwrap := filepath.Join(root, "authwrap")
	login := exec.Command(authwrap, "login")
	login.Env = serverEnv(home, srv)
	if out, err := login.CombinedOutput(); err != nil {
		t.Fatalf("login: %v\n%s", err, out)
	}

	// With the directory opened up, the flood only holds connections:
	// another user who can reach the socket can fill the system's queue of
	// connections not yet accepted by churning, which the endpoint can do
	// nothing about, and what keeps that user out is the directory.
	for _, tc := range []struct {
		name   string
		openUp bool
		mode   string
	}{{"directory private", false, "churn"}, {"directory opened up", true, "hold"}} {
		t.Run(tc.name, func(t *testing.T) {
			work := t.TempDir()
			if err := os.WriteFile(filepath.Join(work, "child.sh"), []byte(floodChild), 0o600); err != nil {
				t.Fatal(err)
			}
			// The socket's directory under root (which anyone may
			// enter), not in a $XDG_RUNTIME_DIR that would keep the other
			// user out even when the test opens the way.
			extra := []string{"XDG_RUNTIME_DIR=", "TMPDIR=" + root}
			if tc.openUp {
				extra = append(extra, "OPEN_UP=1")
			}
			cmd := exec.Command(authwrap, "exec", "--serve", "--min-ttl", "1m", "--", "sh", "child.sh")
			cmd.Env = serverEnv(home, srv, extra...)
			cmd.Dir = work
			var execOut bytes.Buffer
			cmd.Stdout, cmd.Stderr = &execOut, &execOut
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			defer func() {
				_ = cmd.Process.Kill()
			}()
			var endpoint string
			for start := time.Now(); ; time.Sleep(20 * time.Millisecond) {
				b, err := os.ReadFile(filepath.Join(work, "endpoint"))
				if err == nil {
					endpoint = strings.TrimSpace(string(b))
					break
				}
				select {
				case err := <-exited:
					t.Fatalf("authwrap exec --serve ended before its command said where its endpoint is: %v\n%s", err, execOut.String())
				default:
				}
				if time.Since(start) > 10*time.Second {
					t.Fatalf("no endpoint after 10 s\n%s", execOut.String())
				}
			}
			auth, err := os.ReadFile(filepath.Join(work, "auth"))
			if err != nil {
				t.Fatal(err)
			}

			// The other user floods: churn and idle connections, or with
			// the way opened up, whole requests carrying the secret.
			flood := exec.Command("setpriv", "--reuid="+uid, "--regid="+uid, "--clear-groups", "--",
				filepath.Join(root, "serveflood"), tc.mode, endpoint)
			flood.Env = os.Environ()
			if tc.openUp {
				flood.Env = append(flood.Env, "FLOOD_AUTH="+string(auth))
			}
			flood.Dir = root
			stdin, err := flood.StdinPipe()
			if err != nil {
				t.Fatal(err)
			}
			stdout, err := flood.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			var floodErr bytes.Buffer
			flood.Stderr = &floodErr
			if err := flood.Start(); err != nil {
				t.Fatal(err)
			}
			lines := bufio.NewScanner(stdout)
			if !lines.Scan() || lines.Text() != "flooding" {
				t.Fatalf("serveflood did not start: %q %s", lines.Text(), floodErr.String())
			}
			time.Sleep(300 * time.Millisecond) // let the flood build up first
			if err := os.WriteFile(filepath.Join(work, "go"), nil, 0o600); err != nil {
				t.Fatal(err)
			}
			for start := time.Now(); ; time.Sleep(20 * time.Millisecond) {
				if _, err := os.Stat(filepath.Join(work, "done")); err == nil {
					break
				}
				select {
				case err := <-exited:
					t.Fatalf("authwrap exec --serve ended before its command's requests were done: %v\n%s", err, execOut.String())
				default:
				}
				if time.Since(start) > 3*time.Minute {
					t.Fatalf("the command's requests still not done after 3 minutes\n%s", execOut.String())
				}
			}
			stdin.Close()
			var rep floodReport
			if !lines.Scan() || json.Unmarshal(lines.Bytes(), &rep) != nil {
				t.Fatalf("serveflood's report: %q %s", lines.Text(), floodErr.String())
			}
			_ = flood.Wait()
			t.Logf("the other user: %d connections tried, %d let through, %d answered; errors %v", rep.Attempts, rep.Connected, rep.Answered, rep.Errors)
			if err := os.WriteFile(filepath.Join(work, "stop"), nil, 0o600); err != nil {
				t.Fatal(err)
			}
			var exitErr error
			select {
			case exitErr = <-exited:
			case <-time.After(time.Minute):
				t.Fatalf("authwrap exec --serve still running a minute after its command was told to end\n%s", execOut.String())
			}

			if exitErr != nil {
				t.Errorf("authwrap exec --serve: %v\n%s", exitErr, execOut.String())
			}
			results, _ := os.ReadFile(filepath.Join(work, "results"))
			if got := strings.Count(string(results), "ok\n"); got != 50 {
				t.Errorf("%d of the command's 50 token requests answered under the flood:\n%s", got, results)
			}
			if rep.Attempts < 100 {
				t.Errorf("the flood made only %d attempts", rep.Attempts)
			}
			if rep.Answered != 0 {
				t.Errorf("the endpoint answered %d of the other user's requests", rep.Answered)
			}
			if !tc.openUp {
				if rep.Connected != 0 {
					t.Errorf("the other user connected %d times to the endpoint", rep.Connected)
				}
				for msg, n := range rep.Errors {
					if msg != syscall.EACCES.Error() {
						t.Errorf("the other user's connections failed with %q (%d times), want only %q", msg, n, syscall.EACCES.Error())
					}
				}
			} else if rep.Connected == 0 {
				t.Errorf("with the directory opened up the other user never got a connection: the test tests nothing (errors %v)", rep.Errors)
			}
			// The command's endpoint is gone with it, directory and all.
			if strings.HasPrefix(endpoint, "unix:") {
				dir := filepath.Dir(strings.TrimPrefix(endpoint, "unix:"))
				if _, err := os.Lstat(dir); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("the endpoint's directory %s is still there after the command exited: %v", dir, err)
				}
			}
		})
	}
}
