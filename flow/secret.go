package flow

import (
	"fmt"
	"io"
	"log/slog"
)

// redacted is what every formatted Secret prints.
const redacted = "[redacted]"

// Secret is a token or code that must never be printed or logged: an
// access token, a refresh token or a device code. Its String, GoString,
// Format, LogValue and MarshalJSON methods all yield a fixed mask; the value
// is only reachable through Reveal, so a stray %v cannot leak it.
type Secret string

// Reveal returns the secret's value. Call it only where the value is sent
// to the party that should receive it (an HTTP request, a protocol answer,
// the keyring).
func (s Secret) Reveal() string { return string(s) }

// String returns a fixed mask.
func (s Secret) String() string { return redacted }

// GoString returns a fixed mask, so %#v does not leak the value either.
func (s Secret) GoString() string { return redacted }

// Format writes a fixed mask for every verb.
func (s Secret) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, redacted) }

// LogValue makes log/slog print a fixed mask.
func (s Secret) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalJSON encodes a fixed mask. Code that stores a secret must copy
// Reveal's result into its own field.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }

// IsZero reports whether the secret is empty.
func (s Secret) IsZero() bool { return s == "" }

// Masked returns a form a person can use to tell two secrets apart without
// learning either: the length and the last four characters, as in
// "****…a1b2 (812 chars)". Short secrets are masked entirely.
func (s Secret) Masked() string {
	if len(s) < 24 {
		return fmt.Sprintf("**** (%d chars)", len(s))
	}
	return fmt.Sprintf("****…%s (%d chars)", string(s[len(s)-4:]), len(s))
}
