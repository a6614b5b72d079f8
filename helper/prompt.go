package helper

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/authwrap/authwrap/flow"
	"github.com/authwrap/authwrap/internal/safetext"
)

// SignIn is what a Prompter shows a person: who is asking, and the codes.
type SignIn struct {
	// Profile is the profile being signed in.
	Profile Profile
	// Device holds the user code and the URLs. Never show Device.DeviceCode.
	Device *flow.DeviceAuth
	// Host and User say where the request comes from (RFC 8628 section
	// 5.4: a person must be able to tell a phished code from their own).
	Host, User string
}

// Prompter shows a sign-in to a person. Prompt is called once the server
// has issued the codes and before polling starts; the function it returns
// is called when the sign-in ends, with nil or the error that ended it.
type Prompter interface {
	Prompt(ctx context.Context, s SignIn) (done func(err error))
}

// PromptFunc adapts a function to a Prompter, for programs that show the
// code their own way (a TUI, a QR code, a notification).
type PromptFunc func(ctx context.Context, s SignIn) (done func(err error))

// Prompt calls f.
func (f PromptFunc) Prompt(ctx context.Context, s SignIn) func(error) { return f(ctx, s) }

// TerminalPrompter is the sign-in prompt on a terminal (authwrap login's). On a terminal (Live)
// it opens the browser and keeps a live countdown line; elsewhere it
// prints plain lines, one per fact, for logs and pipes.
type TerminalPrompter struct {
	// Out receives the prompt: stderr or the controlling terminal, never
	// a protocol stream.
	Out io.Writer
	// Live draws an updating wait line; set it only when Out is a terminal.
	Live bool
	// Open opens a URL in a browser; nil opens nothing.
	Open func(url string) error
	// Color allows bold text and a black-on-white QR code (false when
	// NO_COLOR is set).
	Color bool
	// QR draws verification_uri_complete as a QR code, for approving on a
	// phone; only on a terminal (Live).
	QR bool
	// Input is the terminal to read answers from (the organization menu);
	// nil means no one can be asked.
	Input *os.File
	// App starts every line ("mycli: your one-time code is ..."); New sets
	// it to Options.App when empty; still empty, the running program's
	// file name is used.
	App string
}

// prefix starts each line the prompt writes.
func (t *TerminalPrompter) prefix() string {
	return cmp.Or(t.App, strings.TrimSuffix(filepath.Base(os.Args[0]), ".exe")) + ": "
}

// Prompt implements Prompter.
func (t *TerminalPrompter) Prompt(ctx context.Context, s SignIn) func(error) {
	d := s.Device
	code := safetext.Inert(d.UserCode)
	if t.Color && t.Live {
		code = "\033[1m" + code + "\033[0m"
	}
	w := t.Out
	fmt.Fprintf(w, t.prefix()+"sign-in for profile %q: client %s at %s\n", s.Profile.Name, safetext.Inert(s.Profile.ClientID), safetext.Inert(s.Profile.Server()))
	fmt.Fprintf(w, t.prefix()+"requested by %s on %s\n", safetext.Inert(s.User), safetext.Inert(s.Host))
	fmt.Fprintf(w, t.prefix()+"your one-time code is %s\n", code)
	opened := false
	if t.Open != nil {
		if err := flow.CheckURL(d.BrowserURL()); err != nil {
			fmt.Fprintf(w, t.prefix()+"warning: not opening the browser: %v\n", err)
		} else if err := openWithin(t.Open, d.BrowserURL(), 2*time.Second); err != nil {
			fmt.Fprintf(w, t.prefix()+"could not open a browser (%s)\n", safetext.Inert(err.Error()))
		} else {
			opened = true
			fmt.Fprintf(w, t.prefix()+"opened %s in your browser: check the code matches, then approve\n", safetext.Inert(d.BrowserURL()))
		}
	}
	if !opened {
		fmt.Fprintf(w, t.prefix()+"open %s and enter the code\n", safetext.Inert(d.VerificationURI))
	}
	if t.QR && t.Live && flow.CheckURL(d.BrowserURL()) == nil {
		if qr, err := renderQR(d.BrowserURL(), t.Color); err == nil {
			fmt.Fprintf(w, t.prefix()+"or scan this with a phone:\n%s", qr)
		}
	}
	if !t.Live {
		fmt.Fprintf(w, t.prefix()+"waiting for approval (the code expires in %s)\n", roundDur(time.Until(d.Expiry)))
		return func(error) {}
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		frames := []rune("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏")
		tick := time.NewTicker(250 * time.Millisecond)
		defer tick.Stop()
		for i := 0; ; i++ {
			left := roundDur(time.Until(d.Expiry)).Truncate(time.Second)
			fmt.Fprintf(w, "\r\033[K%c waiting for approval… code expires in %d:%02d (Ctrl-C to cancel)",
				frames[i%len(frames)], int(left.Minutes()), int(left.Seconds())%60)
			select {
			case <-stop:
				fmt.Fprint(w, "\r\033[K")
				return
			case <-ctx.Done():
				fmt.Fprint(w, "\r\033[K")
				return
			case <-tick.C:
			}
		}
	}()
	var once sync.Once
	return func(error) { once.Do(func() { close(stop); wg.Wait() }) }
}

// openWithin runs open and returns its error; an opener that has not
// failed within d (xdg-open waiting on a slow browser) counts as success,
// so a sign-in never waits on it.
func openWithin(open func(string) error, url string, d time.Duration) error {
	res := make(chan error, 1)
	go func() { res <- open(url) }()
	select {
	case err := <-res:
		return err
	case <-time.After(d):
		return nil
	}
}

func roundDur(d time.Duration) time.Duration {
	if d < 0 {
		return 0
	}
	return d.Round(time.Second)
}
