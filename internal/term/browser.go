package term

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"

	"github.com/cli/browser"
)

// openerOutput is where cli/browser's opener writes (it has only
// package-wide streams): set once, read under openerMu.
var (
	openerOnce   sync.Once
	openerMu     sync.Mutex
	openerOutput bytes.Buffer
)

// OpenBrowser opens url (an http or https address; the caller checks
// which hosts may be opened) with $BROWSER when it is set, else with the
// system's opener (xdg-open, open, rundll32, wslview). It does not try on
// a Linux machine with no graphical display (an SSH session), and it
// keeps the opener's chatter to itself: stdout may carry a protocol, and a
// failure is reported as one line. cli/browser's package-wide streams are
// pointed at a buffer of this package's once, the first time.
func OpenBrowser(url string) error {
	if !strings.HasPrefix(url, "https://") && !strings.HasPrefix(url, "http://") {
		return fmt.Errorf("not opening %.40q in a browser: not a web address", url)
	}
	if b := os.Getenv("BROWSER"); b != "" {
		if b == "none" || b == "false" {
			return fmt.Errorf("BROWSER=%s", b)
		}
		cmd := exec.Command(b, url)
		return cmd.Start()
	}
	if runtime.GOOS == "linux" && os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" && !isWSL() {
		return errors.New("no graphical display here")
	}
	openerMu.Lock()
	defer openerMu.Unlock()
	openerOnce.Do(func() { browser.Stdout, browser.Stderr = &openerOutput, &openerOutput })
	openerOutput.Reset()
	if err := browser.OpenURL(url); err != nil {
		lines := strings.Split(strings.TrimSpace(openerOutput.String()), "\n")
		return fmt.Errorf("%v: %s", err, lines[len(lines)-1])
	}
	return nil
}

// isWSL reports whether this is Linux under Windows, where wslview opens
// the Windows browser.
func isWSL() bool {
	if os.Getenv("WSL_DISTRO_NAME") != "" {
		return true
	}
	v, err := os.ReadFile("/proc/version")
	return err == nil && bytes.Contains(bytes.ToLower(v), []byte("microsoft"))
}
