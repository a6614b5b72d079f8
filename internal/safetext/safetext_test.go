package safetext

import (
	"bytes"
	"strings"
	"testing"
)

func TestEscapes(t *testing.T) {
	cases := []struct{ name, in, line, text string }{
		{"plain", "no such client", "no such client", "no such client"},
		{"OSC 52 clipboard write", "\x1b]52;c;ZXZpbA==\x07done", `\x1b]52;c;ZXZpbA==\x07done`, `\x1b]52;c;ZXZpbA==\x07done`},
		{"CSI cursor movement", "a\x1b[2J\x1b[1;1Hb", `a\x1b[2J\x1b[1;1Hb`, `a\x1b[2J\x1b[1;1Hb`},
		{"C1 CSI as one code point", "a\u009b2Jb", `a\x9b2Jb`, `a\x9b2Jb`},
		{"carriage return overwrite", "ok\rFAKE", `ok\x0dFAKE`, `ok\x0dFAKE`},
		{"newline", "a\nb", `a\x0ab`, "a\nb"},
		{"right-to-left override", "abc\u202edef", `abc\x202edef`, `abc\x202edef`},
		{"line separator", "a\u2028b", `a\x2028b`, `a\x2028b`},
		{"invalid UTF-8", "a\xff\xfeb", `a\xff\xfeb`, `a\xff\xfeb`},
		{"unicode kept", "Müller — 東京", "Müller — 東京", "Müller — 東京"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Line(tc.in); got != tc.line {
				t.Errorf("Line(%q) = %q, want %q", tc.in, got, tc.line)
			}
			if got := Text(tc.in); got != tc.text {
				t.Errorf("Text(%q) = %q, want %q", tc.in, got, tc.text)
			}
		})
	}
}

func TestInertCuts(t *testing.T) {
	got := Inert(strings.Repeat("x", 1000))
	if len(got) > MaxField+len("…") || !strings.HasSuffix(got, "…") {
		t.Errorf("Inert did not cut a long field: %d bytes", len(got))
	}
}

func TestWriter(t *testing.T) {
	var b bytes.Buffer
	w := Writer{W: &b}
	n, err := w.Write([]byte("authwrap: error: \x1b]0;title\x07\nnext\n"))
	if err != nil || n != 33 {
		t.Fatalf("Write = %d, %v", n, err)
	}
	if want := "authwrap: error: \\x1b]0;title\\x07\nnext\n"; b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}

func FuzzLine(f *testing.F) {
	f.Add("\x1b]52;c;ZXZpbA==\x07")
	f.Add("a\u009b2Jb\xff")
	f.Fuzz(func(t *testing.T, s string) {
		for _, out := range []string{Line(s), Text(s), Inert(s)} {
			for _, r := range out {
				if unsafe(r) && r != '\n' && r != '\t' {
					t.Fatalf("%q left %U in %q", s, r, out)
				}
			}
			if strings.ContainsAny(Line(s), "\n\t") {
				t.Fatalf("Line kept a newline or tab: %q", Line(s))
			}
		}
	})
}
