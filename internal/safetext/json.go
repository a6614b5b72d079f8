package safetext

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"unicode/utf16"
	"unicode/utf8"
)

// JSON makes JSON text safe to show on a terminal while keeping it the
// same JSON value: every rune the terminal rule rejects (C1 controls such
// as the one-byte CSI U+009B, DEL, bidirectional overrides, line and
// paragraph separators, invalid bytes) is written as a \u escape. It
// escapes what encoding/json leaves as it is; encoding/json already
// escapes C0 controls in strings. Outside strings, JSON's own whitespace
// (space, tab, newline, carriage return) is kept. b is not changed.
func JSON(b []byte) []byte {
	if printableASCII(b) {
		return b
	}
	out := make([]byte, 0, len(b)+16)
	inString, escaped := false, false
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		switch {
		case escaped:
			escaped = false
		case inString && r == '\\':
			escaped = true
		case r == '"':
			inString = !inString
		}
		whitespace := !inString && (r == '\t' || r == '\n' || r == '\r')
		if unsafe(r) && !whitespace {
			out = appendEscape(out, r)
		} else {
			out = append(out, b[i:i+size]...)
		}
		i += size
	}
	return out
}

// printableASCII reports whether b holds only space to '~' and JSON's
// whitespace: text JSON has nothing to escape in.
func printableASCII(b []byte) bool {
	for _, c := range b {
		if (c < ' ' && c != '\t' && c != '\n' && c != '\r') || c > '~' {
			return false
		}
	}
	return true
}

// appendEscape appends r as a JSON \u escape, as a UTF-16 surrogate pair
// beyond the Basic Multilingual Plane. An invalid byte (utf8.RuneError)
// becomes \ufffd, what encoding/json decodes it as.
func appendEscape(out []byte, r rune) []byte {
	if r1, r2 := utf16.EncodeRune(r); r1 != utf8.RuneError {
		return fmt.Appendf(out, `\u%04x\u%04x`, r1, r2)
	}
	return fmt.Appendf(out, `\u%04x`, r)
}

// MarshalJSON is json.Marshal whose output has passed through JSON.
func MarshalJSON(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return JSON(b), nil
}

// JSONEncoder is json.Encoder whose output has passed through JSON: the
// one way authwrap prints JSON a person may see (status --json, doctor
// --json, token --json, the helpers' answers).
type JSONEncoder struct {
	w              io.Writer
	prefix, indent string
}

// NewJSONEncoder returns an encoder that writes to w.
func NewJSONEncoder(w io.Writer) *JSONEncoder { return &JSONEncoder{w: w} }

// SetIndent indents each value as json.Encoder.SetIndent does.
func (e *JSONEncoder) SetIndent(prefix, indent string) { e.prefix, e.indent = prefix, indent }

// Encode writes v and a newline, in one Write.
func (e *JSONEncoder) Encode(v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent(e.prefix, e.indent)
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := e.w.Write(JSON(buf.Bytes()))
	return err
}
