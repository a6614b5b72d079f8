package protocol

import (
	"fmt"
	"log/slog"
	"strings"
)

// The types here that carry a token print it masked, whatever the verb
// (%v, %+v, %#v, %s, %d, ...) and through log/slog: they are written to
// the wire by their own encoders, never by fmt, so a stray Printf or log
// line of one cannot leak the token.

// redacted stands for a secret in printed values.
const redacted = "[redacted]"

// mask is redacted for a non-empty secret, else "".
func mask(s string) string {
	if s == "" {
		return ""
	}
	return redacted
}

// Format prints the credential with its password masked.
func (c GitCredential) Format(f fmt.State, _ rune) {
	type plain GitCredential
	p := plain(c)
	p.Password = mask(p.Password)
	fmt.Fprintf(f, "%+v", p)
}

// LogValue makes log/slog print the credential masked.
func (c GitCredential) LogValue() slog.Value { return slog.StringValue(fmt.Sprint(c)) }

// Format prints the answer with its token masked.
func (t TerraformToken) Format(f fmt.State, _ rune) { fmt.Fprintf(f, "{Token:%s}", mask(t.Token)) }

// LogValue makes log/slog print the answer masked.
func (t TerraformToken) LogValue() slog.Value { return slog.StringValue(fmt.Sprint(t)) }

// Format prints the status with its token masked.
func (s ExecCredentialStatus) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "{Token:%s ExpirationTimestamp:%s}", mask(s.Token), s.ExpirationTimestamp)
}

// LogValue makes log/slog print the status masked.
func (s ExecCredentialStatus) LogValue() slog.Value { return slog.StringValue(fmt.Sprint(s)) }

// Format prints the credential with its token masked.
func (c ExecCredential) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "{APIVersion:%s Kind:%s Status:%v}", c.APIVersion, c.Kind, c.Status)
}

// LogValue makes log/slog print the credential masked.
func (c ExecCredential) LogValue() slog.Value { return slog.StringValue(fmt.Sprint(c)) }

// Format prints the request with the token cargo was given masked.
func (r CargoRequest) Format(f fmt.State, _ rune) {
	type plain CargoRequest
	p := plain(r)
	p.Token = mask(p.Token)
	fmt.Fprintf(f, "%+v", p)
}

// LogValue makes log/slog print the request masked.
func (r CargoRequest) LogValue() slog.Value { return slog.StringValue(fmt.Sprint(r)) }

// Format prints the answer with its token masked.
func (t CargoToken) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "{Token:%s Expires:%v}", mask(t.Token), t.Expires)
}

// LogValue makes log/slog print the answer masked.
func (t CargoToken) LogValue() slog.Value { return slog.StringValue(fmt.Sprint(t)) }

// Format prints the block with its header values masked (they carry the
// token); the URLs and header names are shown.
func (b GoAuthBlock) Format(f fmt.State, _ rune) {
	names := make([]string, len(b.Headers))
	for i, h := range b.Headers {
		name, _, _ := strings.Cut(h, ":")
		names[i] = name + ": " + redacted
	}
	fmt.Fprintf(f, "{URLs:%v Headers:%v}", b.URLs, names)
}

// LogValue makes log/slog print the block masked.
func (b GoAuthBlock) LogValue() slog.Value { return slog.StringValue(fmt.Sprint(b)) }
