// Package manpage writes a roff man page from a kong command-line model,
// so the page says exactly what the parser accepts.
package manpage

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/alecthomas/kong"
)

// Extra is hand-written prose for the sections the model cannot know.
type Extra struct {
	// Description follows the model's own description.
	Description string
	// Files lists FILES entries: path, then what it is.
	Files [][2]string
	// ExitStatus is the EXIT STATUS section.
	ExitStatus string
	// SeeAlso is the SEE ALSO section.
	SeeAlso string
	// Environment lists ENVIRONMENT entries: variable, then what it does.
	// Empty means the flags' variables only.
	Environment [][2]string
}

// Write renders the page for app to w.
func Write(w io.Writer, app *kong.Application, extra Extra) error {
	var b strings.Builder
	name := app.Name
	fmt.Fprintf(&b, ".TH %s 1 \"\" \"%s\" \"User Commands\"\n", strings.ToUpper(name), name)
	fmt.Fprintf(&b, ".SH NAME\n%s \\- %s\n", name, esc(strings.TrimSuffix(app.Help, ".")))
	fmt.Fprintf(&b, ".SH SYNOPSIS\n.B %s\n.I command\n[\\fIflags\\fR]\n", name)
	if extra.Description != "" {
		fmt.Fprintf(&b, ".SH DESCRIPTION\n%s\n", esc(extra.Description))
	}
	b.WriteString(".SH COMMANDS\n")
	for _, leaf := range app.Leaves(true) {
		if leaf.Hidden {
			continue
		}
		fmt.Fprintf(&b, ".TP\n.B %s\n%s\n", esc(name+" "+leaf.Path()+synopsisArgs(leaf)), esc(leaf.Help))
		for _, f := range leaf.Flags {
			if !f.Hidden {
				fmt.Fprintf(&b, ".RS\n.TP\n%s\n%s\n.RE\n", flagTerm(f), esc(f.Help))
			}
		}
	}
	b.WriteString(".SH GLOBAL FLAGS\n")
	var envs []string
	for _, f := range app.Flags {
		if f.Hidden {
			continue
		}
		fmt.Fprintf(&b, ".TP\n%s\n%s\n", flagTerm(f), esc(f.Help))
		for _, e := range f.Envs {
			envs = append(envs, fmt.Sprintf(".TP\n.B %s\nas \\fB\\-\\-%s\\fR\n", e, f.Name))
		}
	}
	if len(extra.Environment) > 0 {
		envs = envs[:0]
		for _, e := range extra.Environment {
			envs = append(envs, fmt.Sprintf(".TP\n.B %s\n%s\n", esc(e[0]), esc(e[1])))
		}
	} else {
		sort.Strings(envs)
	}
	if len(envs) > 0 {
		b.WriteString(".SH ENVIRONMENT\n" + strings.Join(envs, ""))
	}
	if len(extra.Files) > 0 {
		b.WriteString(".SH FILES\n")
		for _, f := range extra.Files {
			fmt.Fprintf(&b, ".TP\n.I %s\n%s\n", esc(f[0]), esc(f[1]))
		}
	}
	if extra.ExitStatus != "" {
		fmt.Fprintf(&b, ".SH EXIT STATUS\n%s\n", esc(extra.ExitStatus))
	}
	if extra.SeeAlso != "" {
		fmt.Fprintf(&b, ".SH SEE ALSO\n%s\n", esc(extra.SeeAlso))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func synopsisArgs(n *kong.Node) string {
	var parts []string
	for _, p := range n.Positional {
		s := p.Name
		if p.Passthrough {
			s = "-- " + strings.ToUpper(s) + "..."
		} else {
			s = strings.ToUpper(s)
		}
		if !p.Required {
			s = "[" + s + "]"
		}
		parts = append(parts, s)
	}
	if len(parts) == 0 {
		return ""
	}
	return " " + strings.Join(parts, " ")
}

func flagTerm(f *kong.Flag) string {
	t := "\\fB\\-\\-" + esc(f.Name) + "\\fR"
	if f.Short != 0 {
		t = fmt.Sprintf("\\fB\\-%c\\fR, %s", f.Short, t)
	}
	if !f.IsBool() {
		ph := f.PlaceHolder
		if ph == "" {
			ph = strings.ToUpper(f.Name)
		}
		t += "=\\fI" + esc(ph) + "\\fR"
	}
	if f.Default != "" {
		t += " (default " + esc(f.Default) + ")"
	}
	return t
}

// esc escapes text for roff: backslashes, leading dots and quotes, dashes.
func esc(s string) string {
	s = strings.ReplaceAll(s, `\`, `\e`)
	s = strings.ReplaceAll(s, "-", `\-`)
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, ".") || strings.HasPrefix(l, "'") {
			lines[i] = `\&` + l
		}
	}
	return strings.Join(lines, "\n")
}
