package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/authwrap/authwrap/flow/authkittest"
)

// The questions authwrap asks on the terminal (the replace-session
// question of login, the organization menu, the file keyring's
// passphrase when created and when unlocked) end at once on Ctrl-C: the
// real binary runs on a pseudo-terminal, the test types \x03 once the
// question shows, and the process must exit 130 ("interrupted") with
// nothing stored. A process still running 5 s later fails the test: a
// read the interruption cannot end waits for Enter.

// onPTY is the real authwrap running with a pseudo-terminal as its
// controlling terminal and stdin, and as its stderr unless asked not to;
// stdout is a pipe, as in TOKEN=$(authwrap token).
type onPTY struct {
	t      *testing.T
	cmd    *exec.Cmd
	master *os.File
	stdout bytes.Buffer
	stderr bytes.Buffer  // when stderr is not the terminal
	done   chan struct{} // closed once the process has ended and its output is read

	mu     sync.Mutex
	screen bytes.Buffer  // all the terminal showed
	grew   chan struct{} // closed and replaced when screen grows
}

// startOnPTY starts authwrap with args on a new pseudo-terminal.
func startOnPTY(t *testing.T, env []string, args ...string) *onPTY {
	t.Helper()
	return startPTY(t, env, true, args...)
}

// startPTYStderrPipe starts authwrap with args on a new pseudo-terminal,
// with stderr a pipe (as git runs a credential helper, or login 2>log):
// authwrap then shows its prompts on /dev/tty.
func startPTYStderrPipe(t *testing.T, env []string, args ...string) *onPTY {
	t.Helper()
	return startPTY(t, env, false, args...)
}

func startPTY(t *testing.T, env []string, stderrTTY bool, args ...string) *onPTY {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { master.Close() })
	rc, err := master.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var n int
	var ierr error
	if err := rc.Control(func(fd uintptr) {
		if ierr = unix.IoctlSetPointerInt(int(fd), unix.TIOCSPTLCK, 0); ierr == nil {
			n, ierr = unix.IoctlGetInt(int(fd), unix.TIOCGPTN)
		}
	}); err != nil || ierr != nil {
		t.Fatal(err, ierr)
	}
	tty, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer tty.Close()
	p := &onPTY{t: t, master: master, done: make(chan struct{}), grew: make(chan struct{})}
	p.cmd = exec.Command("authwrap", args...)
	p.cmd.Env = env
	p.cmd.Stdin, p.cmd.Stdout, p.cmd.Stderr = tty, &p.stdout, tty
	if !stderrTTY {
		p.cmd.Stderr = &p.stderr
	}
	// A session of its own with the terminal as its controlling one, in
	// the foreground: Ctrl-C sends it SIGINT, as at a shell's prompt.
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	read := make(chan struct{})
	go func() {
		defer close(read)
		buf := make([]byte, 4096)
		for {
			n, err := master.Read(buf)
			p.mu.Lock()
			p.screen.Write(buf[:n])
			close(p.grew)
			p.grew = make(chan struct{})
			p.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	go func() {
		_ = p.cmd.Wait()
		select { // the terminal's last output, read once no one has it open
		case <-read:
		case <-time.After(5 * time.Second):
		}
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// shown returns what the terminal has shown so far.
func (p *onPTY) shown() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-p.done:
		// Ended: the pipe's copy is finished and safe to read.
		if p.stderr.Len() > 0 {
			return p.screen.String() + "\n(stderr, a pipe:)\n" + p.stderr.String()
		}
	default:
	}
	return p.screen.String()
}

// waitFor waits until the terminal has shown text count times.
func (p *onPTY) waitFor(text string, count int) {
	p.t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		p.mu.Lock()
		n, grew := strings.Count(p.screen.String(), text), p.grew
		p.mu.Unlock()
		if n >= count {
			return
		}
		select {
		case <-grew:
		case <-p.done:
			p.t.Fatalf("authwrap %v ended before showing %q %d times; the terminal showed:\n%s", p.cmd.Args[1:], text, count, p.shown())
		case <-deadline:
			p.t.Fatalf("authwrap %v did not show %q %d times; the terminal showed:\n%s", p.cmd.Args[1:], text, count, p.shown())
		}
	}
}

// typeKeys types s on the terminal.
func (p *onPTY) typeKeys(s string) {
	p.t.Helper()
	if _, err := p.master.WriteString(s); err != nil {
		p.t.Fatal(err)
	}
}

// exitCode waits for the process to end and returns its exit status;
// still running after within, the test fails: something waits for Enter.
func (p *onPTY) exitCode(within time.Duration, after string) int {
	p.t.Helper()
	select {
	case <-p.done:
	case <-time.After(within):
		p.t.Fatalf("authwrap %v still runs %s after %s; the terminal showed:\n%s", p.cmd.Args[1:], within, after, p.shown())
	}
	ws := p.cmd.ProcessState.Sys().(syscall.WaitStatus)
	if ws.Signaled() {
		p.t.Fatalf("authwrap %v was killed by %v instead of exiting after %s; the terminal showed:\n%s", p.cmd.Args[1:], ws.Signal(), after, p.shown())
	}
	return ws.ExitStatus()
}

// promptEnv is the environment of a person at a terminal: prompting
// allowed, a terminal that draws, and the file keyring's passphrase
// asked unless passphrase is set.
func promptEnv(home string, srv *authkittest.Server, passphrase string) []string {
	return serverEnv(home, srv, "AUTHWRAP_NO_PROMPT=", "TERM=xterm", "AUTHWRAP_FILE_PASSPHRASE="+passphrase)
}

// runAuthwrap runs authwrap without a terminal and returns its stdout,
// stderr and exit status.
func runAuthwrap(t *testing.T, env []string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command("authwrap", args...)
	cmd.Env = env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	// No controlling terminal: nothing can be asked.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatalf("authwrap %v: %v", args, err)
	}
	return out.String(), errb.String(), cmd.ProcessState.ExitCode()
}

// promptServer starts a local AuthKit server that approves at once.
func promptServer(t *testing.T, choose bool) (*authkittest.Server, string) {
	t.Helper()
	srv := authkittest.NewServer(authkittest.Config{Interval: time.Second, AutoApprove: 10 * time.Millisecond,
		OrganizationSelection: choose})
	t.Cleanup(srv.Close)
	home := filepath.Join(t.TempDir(), "home")
	if err := os.Mkdir(home, 0o700); err != nil {
		t.Fatal(err)
	}
	return srv, home
}

// signedIn signs in without a terminal and returns the access token.
func signedIn(t *testing.T, srv *authkittest.Server, home string) string {
	t.Helper()
	env := serverEnv(home, srv)
	if _, errOut, code := runAuthwrap(t, env, "login"); code != 0 {
		t.Fatalf("login: exit %d: %s", code, errOut)
	}
	token, errOut, code := runAuthwrap(t, env, "token", "--min-ttl", "0s")
	if code != 0 || !strings.HasPrefix(token, "eyJ") {
		t.Fatalf("token: exit %d: %s", code, errOut)
	}
	return token
}

// sameToken fails unless the stored session still gives token.
func sameToken(t *testing.T, srv *authkittest.Server, home, token string) {
	t.Helper()
	got, errOut, code := runAuthwrap(t, serverEnv(home, srv), "token", "--min-ttl", "0s")
	if code != 0 || got != token {
		t.Errorf("the session stored before changed: token exit %d, same token %v, stderr: %s", code, got == token, errOut)
	}
}

// notSignedIn fails unless status says the profile is not signed in.
func notSignedIn(t *testing.T, srv *authkittest.Server, home string) {
	t.Helper()
	out, errOut, code := runAuthwrap(t, serverEnv(home, srv), "status")
	if code != 1 || !regexp.MustCompile(`signed in: +no\n`).MatchString(out) {
		t.Errorf("something was stored: status exit %d:\n%s%s", code, out, errOut)
	}
}

// interrupted types Ctrl-C and checks the exit: 130, said on the terminal.
func (p *onPTY) interrupted() {
	p.t.Helper()
	p.typeKeys("\x03")
	if code := p.exitCode(5*time.Second, "Ctrl-C"); code != 130 {
		p.t.Errorf("exit status %d after Ctrl-C, want 130; the terminal showed:\n%s", code, p.shown())
	}
	if !strings.Contains(p.shown(), "interrupted; nothing was stored") {
		p.t.Errorf("authwrap did not say it was interrupted:\n%s", p.shown())
	}
}

func TestCtrlCAtReplaceQuestion(t *testing.T) {
	t.Parallel()
	srv, home := promptServer(t, false)
	token := signedIn(t, srv, home)
	p := startOnPTY(t, promptEnv(home, srv, "test-passphrase"), "login")
	p.waitFor("replace that session? [y/N]", 1)
	p.interrupted()
	sameToken(t, srv, home, token)
	if n := srv.Requests(authkittest.DeviceAuthorization); n != 1 {
		t.Errorf("%d sign-ins started, want the first only", n)
	}

	// SIGTERM at the question (a closing session manager): 143 at once.
	p = startOnPTY(t, promptEnv(home, srv, "test-passphrase"), "login")
	p.waitFor("replace that session? [y/N]", 1)
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := p.exitCode(5*time.Second, "SIGTERM"); code != 143 {
		t.Errorf("exit status %d after SIGTERM, want 143", code)
	}
	sameToken(t, srv, home, token)

	// Ctrl-D (no answer) is the default, no: the session is kept.
	p = startOnPTY(t, promptEnv(home, srv, "test-passphrase"), "login")
	p.waitFor("replace that session? [y/N]", 1)
	p.typeKeys("\x04")
	if code := p.exitCode(5*time.Second, "Ctrl-D"); code != 0 || !strings.Contains(p.shown(), "kept the session of default") {
		t.Errorf("exit %d after Ctrl-D, want 0 (the default answer, no) and the session kept; the terminal showed:\n%s", code, p.shown())
	}
	sameToken(t, srv, home, token)
}

func TestCtrlCAtOrganizationMenu(t *testing.T) {
	t.Parallel()
	for name, start := range map[string]func(*testing.T, []string, ...string) *onPTY{
		// login typed at a terminal: the menu on stderr.
		"login": startOnPTY,
		// A sign-in on demand, stderr not a terminal (as git runs a
		// credential helper): the menu on /dev/tty.
		"token on demand": startPTYStderrPipe,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv, home := promptServer(t, true)
			args := []string{"login"}
			if name != "login" {
				args = []string{"token"}
			}
			p := start(t, promptEnv(home, srv, "test-passphrase"), args...)
			p.waitFor("organization (1-2): ", 1)
			p.interrupted()
			notSignedIn(t, srv, home)
			if n := srv.Requests(authkittest.OrganizationSelection); n != 0 {
				t.Errorf("%d organization selections after Ctrl-C at the menu, want none", n)
			}
		})
	}
}

func TestCtrlCAtNewPassphrase(t *testing.T) {
	t.Parallel()
	srv, home := promptServer(t, false)
	p := startOnPTY(t, promptEnv(home, srv, ""), "login")
	p.waitFor("choose a passphrase: ", 1)
	p.interrupted()
	notSignedIn(t, srv, home)
	if n := srv.Requests(authkittest.DeviceAuthorization); n != 0 {
		t.Errorf("a sign-in started (%d device authorizations) after Ctrl-C at the passphrase", n)
	}
	items, _ := filepath.Glob(filepath.Join(home, ".local", "share", "authwrap", "keyring", "session.*"))
	if len(items) > 0 {
		t.Errorf("the file keyring holds %v after Ctrl-C at its first passphrase", items)
	}
}

func TestCtrlCAtUnlockPassphrase(t *testing.T) {
	t.Parallel()
	srv, home := promptServer(t, false)
	token := signedIn(t, srv, home)
	p := startOnPTY(t, promptEnv(home, srv, ""), "token")
	p.waitFor("passphrase to unlock", 1)
	p.interrupted()
	if p.stdout.Len() > 0 {
		t.Errorf("stdout after Ctrl-C at the passphrase: %q", p.stdout.String())
	}
	sameToken(t, srv, home, token)
	if n := srv.Requests(authkittest.Refresh); n != 0 {
		t.Errorf("%d refreshes, want none", n)
	}
}

// TestPassphraseTries: unlocking the file keyring on a terminal allows
// three tries; each wrong one is said and asked again; after the third
// the command fails and the session stays as it was.
func TestPassphraseTries(t *testing.T) {
	t.Parallel()
	srv, home := promptServer(t, false)
	token := signedIn(t, srv, home)
	const prompt = "authwrap: passphrase to unlock the file keyring in "

	t.Run("two wrong then right", func(t *testing.T) {
		p := startOnPTY(t, promptEnv(home, srv, ""), "token", "--min-ttl", "0s")
		for i, pass := range []string{"wrong-1", "wrong-2", "test-passphrase"} {
			p.waitFor(prompt, i+1)
			p.typeKeys(pass + "\r")
		}
		if code := p.exitCode(10*time.Second, "the right passphrase"); code != 0 {
			t.Fatalf("exit %d; the terminal showed:\n%s", code, p.shown())
		}
		if p.stdout.String() != token {
			t.Errorf("stdout is not the session's token: %q", p.stdout.String())
		}
		screen := p.shown()
		if n := strings.Count(screen, "that passphrase does not open the file keyring"); n != 2 {
			t.Errorf("the wrong passphrases were said %d times, want 2:\n%s", n, screen)
		}
		if strings.Contains(screen, "wrong-") || strings.Contains(screen, "test-passphrase") {
			t.Errorf("a typed passphrase was echoed:\n%s", screen)
		}
	})

	t.Run("three wrong", func(t *testing.T) {
		p := startOnPTY(t, promptEnv(home, srv, ""), "token", "--min-ttl", "0s")
		for i := range 3 {
			p.waitFor(prompt, i+1)
			p.typeKeys(fmt.Sprintf("wrong-%d\r", i))
		}
		if code := p.exitCode(10*time.Second, "three wrong passphrases"); code != 1 {
			t.Fatalf("exit %d, want 1; the terminal showed:\n%s", code, p.shown())
		}
		screen := p.shown()
		if n := strings.Count(screen, prompt); n != 3 {
			t.Errorf("asked %d times, want 3:\n%s", n, screen)
		}
		if !strings.Contains(screen, "authwrap: error: reading the file keyring: the passphrase does not open the file keyring") {
			t.Errorf("no error after three wrong passphrases:\n%s", screen)
		}
		if p.stdout.Len() > 0 {
			t.Errorf("stdout: %q", p.stdout.String())
		}
		sameToken(t, srv, home, token)
	})
}
