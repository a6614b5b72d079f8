package protocol

import (
	"fmt"
	"io"
	"log/slog"
)

// redacted stands for a secret in printed values.
const redacted = "[redacted]"

// Secret is a value that carries a token: a password, a bearer token, a
// header line with one. Every field of this package's types that can hold
// a token is a Secret, so printing or logging a request or an answer
// never shows it: String, GoString, Format (every verb, %#v and %x
// included), LogValue and MarshalJSON all yield a mask, "[redacted]" ("" for
// an empty Secret, so that a print still tells whether one is there). The
// writers here (WriteGit, WriteGoAuth, WriteCargoToken,
// WriteTerraformToken, WriteExecCredential) put the value itself on the
// wire; elsewhere it is reached only through Reveal.
type Secret string

// Reveal returns the value. Call it only to hand the value to whom it is
// for.
func (s Secret) Reveal() string { return string(s) }

// mask is what s prints as.
func (s Secret) mask() string {
	if s == "" {
		return ""
	}
	return redacted
}

// String returns the mask.
func (s Secret) String() string { return s.mask() }

// GoString returns the mask, so %#v does not show the value either.
func (s Secret) GoString() string { return s.mask() }

// Format writes the mask, whatever the verb.
func (s Secret) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, s.mask()) }

// LogValue makes log/slog print the mask.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.mask()) }

// MarshalJSON encodes the mask: a type holding a Secret that is logged
// through slog's JSON handler, or marshalled by mistake, does not leak it.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + s.mask() + `"`), nil }
