// Package safetext is the one way text that authwrap did not write itself
// (a server's error description, a status line, a certificate's names, a
// file's contents) reaches a terminal: control characters, escape
// sequences and invisible format characters become visible \x..
// escapes, so a hostile server cannot move the cursor, set the title or
// write to the clipboard (OSC 52). JSON authwrap prints goes through JSON
// (or MarshalJSON, JSONEncoder) instead: there such runes become \u
// escapes, and the JSON keeps its value. It never touches the network or
// files.
package safetext

import (
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxField is how much of one server-sent field Inert keeps.
const MaxField = 200

// Inert makes one field of outside text safe to show: Line, cut after
// MaxField characters.
func Inert(s string) string { return escape(s, MaxField, false) }

// Line makes a whole message safe to show on one terminal line: every
// control character (newlines included), escape sequence introducer and
// format character is escaped; nothing is cut.
func Line(s string) string { return escape(s, -1, false) }

// Text is Line that keeps newlines and tabs, for messages of several
// lines.
func Text(s string) string { return escape(s, -1, true) }

// unsafe reports whether r must not reach a terminal as itself: C0 and
// C1 controls, DEL, the replacement character (an invalid byte), format
// characters (bidirectional overrides and isolates, zero-width joiners)
// and the line and paragraph separators U+2028 and U+2029.
func unsafe(r rune) bool {
	return unicode.IsControl(r) || r == utf8.RuneError || unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp)
}

func escape(s string, maxLen int, keepLines bool) string {
	clean := true
	for _, r := range s {
		if unsafe(r) && !(keepLines && (r == '\n' || r == '\t')) {
			clean = false
			break
		}
	}
	if clean && (maxLen < 0 || len(s) <= maxLen) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if maxLen >= 0 && i >= maxLen {
			b.WriteString("…")
			break
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, "\\x%02x", s[i])
		case keepLines && (r == '\n' || r == '\t'):
			b.WriteRune(r)
		case unsafe(r):
			fmt.Fprintf(&b, "\\x%02x", r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += max(size, 1)
	}
	return b.String()
}

// Writer passes each Write through Text before w: whatever is printed
// through it keeps its lines and loses its escape sequences. Each Write
// is taken as whole text (fmt.Fprintf writes a message at once).
type Writer struct {
	// W receives the sanitised text.
	W io.Writer
}

// Write implements io.Writer. It reports len(p) written when w took all
// of the sanitised text.
func (w Writer) Write(p []byte) (int, error) {
	if _, err := io.WriteString(w.W, Text(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}
