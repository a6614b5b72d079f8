package helper

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/windows"

	"github.com/authwrap/authwrap/flow"
	"github.com/authwrap/authwrap/internal/term"
	"github.com/authwrap/authwrap/internal/term/termtest"
)

var (
	consoleForTest = termtest.Console
	typeKeys       = termtest.TypeKeys
	screen         = termtest.Screen
)

// The passphrase is read from the console's input buffer (not stdin),
// is not echoed on its screen, and the console's mode is put back.
func TestConsolePassphraseHidden(t *testing.T) {
	c := consoleForTest(t)
	var before uint32
	if err := windows.GetConsoleMode(windows.Handle(c.In.Fd()), &before); err != nil {
		t.Fatal(err)
	}
	typeKeys(t, c, "s3cret-pass\r")
	got, err := term.ReadHidden(c, "passphrase for the test: ")
	if err != nil || got != "s3cret-pass" {
		t.Fatalf("readHidden = %q, %v", got, err)
	}
	if sc := screen(t, c); strings.Contains(sc, "s3cret") || !strings.Contains(sc, "passphrase for the test:") {
		t.Errorf("the screen shows the passphrase, or no prompt: %q", strings.TrimSpace(sc))
	}
	var after uint32
	if err := windows.GetConsoleMode(windows.Handle(c.In.Fd()), &after); err != nil || after != before {
		t.Errorf("console mode %#x after the prompt, %#x before (%v)", after, before, err)
	}
}

// Ctrl-C at the prompt ends the wait with ErrInterrupted
// instead of killing the process or waiting on.
func TestConsolePassphraseCtrlC(t *testing.T) {
	c := consoleForTest(t)
	done := make(chan error, 1)
	go func() {
		_, err := term.ReadHidden(c, "passphrase (Ctrl-C test): ")
		done <- err
	}()
	var err error
	deadline := time.After(10 * time.Second)
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
wait:
	for {
		select {
		case err = <-done:
			break wait
		case <-tick.C:
			// Sent until the prompt's handler is in place.
			_ = windows.GenerateConsoleCtrlEvent(windows.CTRL_C_EVENT, 0)
		case <-deadline:
			t.Fatal("Ctrl-C did not end the prompt")
		}
	}
	if !errors.Is(err, ErrInterrupted) {
		t.Fatalf("err = %v, want ErrInterrupted", err)
	}
}

// The prompt's escape sequences are drawn: the console gets virtual
// terminal processing, or the prompt writes plain lines.
func TestConsoleEscapes(t *testing.T) {
	c := consoleForTest(t)
	t.Setenv("TERM", "xterm")
	t.Setenv("NO_COLOR", "")
	h := windows.Handle(c.Out.Fd())
	var mode uint32
	_ = windows.GetConsoleMode(h, &mode)
	_ = windows.SetConsoleMode(h, mode&^windows.ENABLE_VIRTUAL_TERMINAL_PROCESSING)
	t.Cleanup(func() { _ = windows.SetConsoleMode(h, mode) })
	p := NewTerminalPrompter(c.Out)
	_ = windows.GetConsoleMode(h, &mode)
	vt := mode&windows.ENABLE_VIRTUAL_TERMINAL_PROCESSING != 0
	if p.Live != vt || p.Color != vt {
		t.Errorf("Live %v, Color %v with virtual-terminal processing %v", p.Live, p.Color, vt)
	}
	if !vt {
		t.Error("virtual-terminal processing was not turned on (this console supports it)")
	}
}

// Windows Credential Manager holds a session, split when it is over the
// 2560-byte blob limit (which wine does not enforce, so the parts'
// sizes are checked here).
func TestWinCredStore(t *testing.T) {
	app := fmt.Sprintf("authwrap-test-%d", time.Now().UnixNano())
	ks, err := OpenStore(StoreOptions{Backend: "wincred", App: app})
	if err != nil {
		t.Fatal(err)
	}
	storeRoundTrip(t, ks)
	s := testSession("big")
	s.AccessToken = flow.Secret(strings.Repeat("W", 9000))
	if err := ks.Save(s); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ks.Delete("big") })
	got, err := ks.Load("big")
	if err != nil || got.AccessToken != s.AccessToken {
		t.Fatalf("split session: %v", err)
	}
	keys, err := ks.ring.Keys()
	if err != nil {
		t.Fatal(err)
	}
	parts := 0
	for _, k := range keys {
		if strings.HasPrefix(k, partsPrefixOf("big")) {
			parts++
			it, err := ks.ring.Get(k)
			if err != nil || len(it.Data) > 2560 {
				t.Errorf("part %s: %d bytes, %v", k, len(it.Data), err)
			}
		}
	}
	if parts < 4 {
		t.Errorf("a 9000-byte token in %d parts", parts)
	}
	if err := ks.Delete("big"); err != nil {
		t.Fatal(err)
	}
	if keys, _ := ks.ring.Keys(); len(keys) != 0 {
		t.Errorf("left after logout: %v", keys)
	}
}
