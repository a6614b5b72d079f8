package main

import (
	"bufio"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/authwrap/authwrap/flow/authkittest"
)

// findChromium returns a Chromium binary, or skips the test. With
// AUTHWRAP_REQUIRE_BROWSER=1 (as CI sets) a missing browser fails instead.
func findChromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("AUTHWRAP_REQUIRE_BROWSER") == "1" {
		t.Fatal("no chromium on PATH and AUTHWRAP_REQUIRE_BROWSER=1")
	}
	t.Skip("no chromium on PATH (apt-get install chromium)")
	return ""
}

// buildAuthwrap returns the authwrap binary for a test that runs it
// itself: a copy of this test binary named authwrap, which runs
// authwrap's main (see TestMain), as the scripts do.
func buildAuthwrap(t *testing.T) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "authwrap")
	if err := copyFile(self, bin, 0o755); err != nil {
		t.Fatal(err)
	}
	return bin
}

// loginProcess is a running `authwrap login` and what it printed so far.
type loginProcess struct {
	cmd      *exec.Cmd
	code     string
	uri      string
	complete string
	rest     chan string
}

var (
	codeLine = regexp.MustCompile(`your one-time code is ([B-Z]{4}-[B-Z]{4})`)
	openLine = regexp.MustCompile(`open (http://\S+) and enter the code`)
)

func startLogin(t *testing.T, bin string, env []string, srv *authkittest.Server) *loginProcess {
	t.Helper()
	cmd := exec.Command(bin, "login", "--no-browser")
	cmd.Env = env
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	lp := &loginProcess{cmd: cmd, rest: make(chan string, 1)}
	sc := bufio.NewScanner(stderr)
	for sc.Scan() && (lp.code == "" || lp.uri == "") {
		if m := codeLine.FindStringSubmatch(sc.Text()); m != nil {
			lp.code = m[1]
		}
		if m := openLine.FindStringSubmatch(sc.Text()); m != nil {
			lp.uri = m[1]
		}
	}
	if lp.code == "" || lp.uri == "" {
		t.Fatal("login did not print the code and the URL")
	}
	lp.complete = lp.uri + "?user_code=" + lp.code
	go func() {
		b, _ := io.ReadAll(stderr)
		lp.rest <- string(b)
	}()
	return lp
}

// TestBrowserApproval runs `authwrap login` while headless Chromium drives
// the server's verification page: once typing the code and approving,
// once from verification_uri_complete and denying.
func TestBrowserApproval(t *testing.T) {
	chromium := findChromium(t)
	t.Parallel()
	bin := buildAuthwrap(t)
	srv := authkittest.NewServer(authkittest.Config{Interval: time.Second})
	defer srv.Close()
	home := t.TempDir()
	env := serverEnv(home, srv)

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()
	ctx, cancel := context.WithTimeout(bctx, 90*time.Second)
	defer cancel()

	// decide runs steps that end on the confirmation page, checks the code
	// it shows against the terminal's, presses button and waits for heading.
	decide := func(t *testing.T, lp *loginProcess, steps []chromedp.Action[chromedp.Void], button, heading string) {
		t.Helper()
		if err := chromedp.Do(ctx, append(steps, chromedp.WaitVisible(chromedp.ID(button)))...); err != nil {
			t.Fatalf("browser: %v", err)
		}
		shown, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("code")))
		if err != nil {
			t.Fatal(err)
		}
		if shown != lp.code {
			t.Errorf("the page shows code %q, the terminal %q", shown, lp.code)
		}
		err = chromedp.Do(ctx, chromedp.Click(chromedp.ID(button)),
			chromedp.WaitVisible(chromedp.Search(`//h1[text()="`+heading+`"]`)))
		if err != nil {
			t.Fatalf("browser: %v", err)
		}
	}

	t.Run("type the code and approve", func(t *testing.T) {
		lp := startLogin(t, bin, env, srv)
		decide(t, lp, []chromedp.Action[chromedp.Void]{
			chromedp.Navigate(lp.uri),
			chromedp.WaitVisible(chromedp.ID("user_code")),
			chromedp.SendKeys(chromedp.ID("user_code"), strings.ToLower(strings.ReplaceAll(lp.code, "-", ""))),
			chromedp.Click(chromedp.ID("continue")),
		}, "approve", "Device approved")
		// All of stderr first: Wait closes the pipe once the process exits.
		rest := <-lp.rest
		if err := lp.cmd.Wait(); err != nil {
			t.Fatalf("login: %v\n%s", err, rest)
		}
		if !strings.Contains(rest, "signed in to default as dev@example.com") {
			t.Errorf("login said: %s", rest)
		}
		tok := exec.Command(bin, "token")
		tok.Env = env
		out, err := tok.Output()
		if err != nil || !strings.HasPrefix(string(out), "eyJ") {
			t.Fatalf("token after browser approval: %v %.20q", err, out)
		}
	})

	t.Run("open the complete URL and deny", func(t *testing.T) {
		lp := startLogin(t, bin, env, srv)
		decide(t, lp, []chromedp.Action[chromedp.Void]{chromedp.Navigate(lp.complete)}, "deny", "Request denied")
		rest := <-lp.rest // all of stderr before Wait closes the pipe
		err := lp.cmd.Wait()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
			t.Fatalf("login after deny: %v, want exit 1", err)
		}
		if !strings.Contains(rest, "the sign-in was denied in the browser; nothing was stored") {
			t.Errorf("login said: %s", rest)
		}
	})
	if n := srv.SlowDowns(); n != 0 {
		t.Errorf("slow_down answers = %d, want 0", n)
	}
}
