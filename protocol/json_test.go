package protocol

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// hostileText is what a hostile server (or a file another program wrote)
// may put in a value an answer carries: the one-byte C1 CSI, a
// right-to-left override, DEL and a line separator.
const hostileText = "user\u009b31m\u202emoc.elpmaxe\x7f\u2028"

// TestAnswersHoldNoControls: every JSON answer authwrap gives a tool
// carries hostile text only as \u escapes, and the tool decodes the
// value it was given.
func TestAnswersHoldNoControls(t *testing.T) {
	write := func(f func(*bytes.Buffer) error) string {
		var b bytes.Buffer
		if err := f(&b); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	serve := func(h memHelper, action, in string) string {
		var b bytes.Buffer
		if err := ServeDocker(h, action, strings.NewReader(in), &b); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	docker := func() memHelper {
		return memHelper{hostileText + ".example.com": {ServerURL: hostileText + ".example.com", Username: hostileText, Secret: "s"}}
	}
	cases := []struct {
		name string
		out  string
		path []string // where the hostile value is in the answer
	}{
		{"terraform get", write(func(b *bytes.Buffer) error { return WriteTerraformToken(b, TerraformToken{Token: hostileText}) }), []string{"token"}},
		{"kubectl ExecCredential", write(func(b *bytes.Buffer) error {
			return WriteExecCredential(b, NewExecCredential(ExecInfo{APIVersion: ExecCredentialV1}, hostileText, time.Now()))
		}), []string{"status", "token"}},
		{"docker get", serve(docker(), "get", hostileText+".example.com"), []string{"Username"}},
		{"docker list", serve(docker(), "list", ""), []string{hostileText + ".example.com"}},
		{"cargo get", write(func(b *bytes.Buffer) error { return WriteCargoToken(b, CargoToken{Token: hostileText}) }), []string{"Ok", "token"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if strings.ContainsAny(tc.out, "\u009b\u202e\x7f\u2028") {
				t.Errorf("raw control or format character in %q", tc.out)
			}
			var v any
			if err := json.Unmarshal([]byte(tc.out), &v); err != nil {
				t.Fatalf("%q: %v", tc.out, err)
			}
			for _, k := range tc.path {
				m, ok := v.(map[string]any)
				if !ok {
					t.Fatalf("%q: no %s", tc.out, k)
				}
				v = m[k]
			}
			if v != hostileText {
				t.Errorf("%q decodes to %q, want %q", tc.out, v, hostileText)
			}
		})
	}
}
