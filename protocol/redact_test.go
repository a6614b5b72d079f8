package protocol

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// TestSecretsPrintMasked: no verb of fmt and neither of log/slog's
// handlers shows the token a protocol value carries; the rest of the
// value still shows.
func TestSecretsPrintMasked(t *testing.T) {
	const tok = "SEKRIT-TOKEN-VALUE"
	for name, c := range map[string]struct {
		v    any
		show string
	}{
		"git":       {GitCredential{Protocol: "https", Host: "git.example.com", Username: "x", Password: tok}, "git.example.com"},
		"terraform": {TerraformToken{Token: tok}, "Token:" + redacted},
		"kubectl":   {NewExecCredential(ExecInfo{APIVersion: ExecCredentialV1}, tok, time.Unix(0, 0)), ExecCredentialV1},
		"kubectl *": {&ExecCredential{Kind: "ExecCredential", Status: ExecCredentialStatus{Token: tok}}, "ExecCredential"},
		"cargo req": {CargoRequest{V: 1, Kind: "login", Token: tok, Registry: CargoRegistry{IndexURL: "sparse+https://c.example/"}}, "c.example"},
		"cargo tok": {CargoToken{Token: tok}, "Token:" + redacted},
		"goauth":    {GoAuthBlock{URLs: []string{"https://g.example"}, Headers: []string{"Authorization: Bearer " + tok}}, "Authorization: " + redacted},
	} {
		var out []string
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d", "%10.3v"} {
			out = append(out, fmt.Sprintf(verb, c.v))
		}
		out = append(out, fmt.Sprint(c.v), fmt.Sprintln([]any{c.v}))
		var logs bytes.Buffer
		slog.New(slog.NewTextHandler(&logs, nil)).Info("m", "v", c.v)
		slog.New(slog.NewJSONHandler(&logs, nil)).Info("m", "v", c.v)
		out = append(out, logs.String())
		all := strings.Join(out, "\n")
		if strings.Contains(all, tok) || strings.Contains(all, fmt.Sprintf("%x", tok)) {
			t.Errorf("%s: the token shows:\n%s", name, all)
		}
		if !strings.Contains(out[1], c.show) {
			t.Errorf("%s: %%+v = %s, want it to show %q", name, out[1], c.show)
		}
	}
}
