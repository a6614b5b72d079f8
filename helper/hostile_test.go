package helper

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/authwrap/authwrap/flow"
)

// TestPromptHostileServer: what a hostile server sends is never opened
// when it is not https (or http to loopback), and never reaches the
// terminal as escape sequences.
func TestPromptHostileServer(t *testing.T) {
	cases := []struct {
		name, uri, code string
		opens           bool
	}{
		{"https", "https://example.authkit.app/device", "BCDF-GHJK", true},
		{"loopback http", "http://127.0.0.1:8787/device", "BCDF-GHJK", true},
		{"javascript", "javascript:alert(document.cookie)", "BCDF-GHJK", false},
		{"file", "file:///etc/passwd", "BCDF-GHJK", false},
		{"plain http elsewhere", "http://evil.example.com/device", "BCDF-GHJK", false},
		{"escape sequences in the code", "https://example.authkit.app/device", "\x1b]0;pwned\x07\x1b[2J\rAB", true},
		{"escape sequences in the URL", "https://example.authkit.app/\x1b[2Jdevice", "BCDF-GHJK", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			var opened []string
			p := &TerminalPrompter{Out: &out, Open: func(u string) error { opened = append(opened, u); return nil }}
			done := p.Prompt(context.Background(), SignIn{
				Profile: Profile{Name: "p", ClientID: "c"},
				Device:  &flow.DeviceAuth{UserCode: tc.code, VerificationURI: tc.uri, Expiry: time.Now().Add(time.Minute)},
				Host:    "h", User: "u",
			})
			done(nil)
			if got := len(opened) > 0; got != tc.opens {
				t.Errorf("opened = %v, want %v", opened, tc.opens)
			}
			if strings.ContainsAny(out.String(), "\x1b\x07\r") {
				t.Errorf("control characters reached the terminal: %q", out.String())
			}
			if !tc.opens && !strings.Contains(out.String(), "not opening the browser") {
				t.Errorf("a refused URL is not reported: %q", out.String())
			}
		})
	}
}
