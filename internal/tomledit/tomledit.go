// Package tomledit edits a TOML file line by line, so that everything it
// does not touch (comments, order, layout, CRLF line ends) stays as it
// was: find a [table], set or drop a key in it, add a table. It does not
// parse TOML itself; callers decode the result with Decode to check it
// (authwrap's config and cargo's configuration both do).
package tomledit

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/pelletier/go-toml/v2"
)

// Decode decodes the TOML document data into v (struct fields matched by
// their `toml` tags). With strict set, a key v has no field for is an
// error naming it ("unknown setting "a.b.c""). Errors of syntax say the
// line and column.
//
// It uses github.com/pelletier/go-toml/v2, whose package initialisation
// costs nothing at start; BurntSushi/toml's reads the local time zone
// (/etc/localtime) at the start of every process that links it.
func Decode(data []byte, v any, strict bool) error {
	// A UTF-8 byte order mark (Notepad wrote one for years) is not TOML;
	// cargo and BurntSushi/toml read past it, and so does this.
	d := toml.NewDecoder(bytes.NewReader(bytes.TrimPrefix(data, []byte(bom))))
	if strict {
		d.DisallowUnknownFields()
	}
	err := d.Decode(v)
	var sm *toml.StrictMissingError
	if errors.As(err, &sm) && len(sm.Errors) > 0 {
		return fmt.Errorf("unknown setting %q", strings.Join(sm.Errors[0].Key(), "."))
	}
	var de *toml.DecodeError
	if errors.As(err, &de) {
		row, col := de.Position()
		msg := strings.TrimPrefix(de.Error(), "toml: ")
		// "cannot decode TOML string into struct field config.Entry.Hosts
		// of type []string" names Go types; say which key instead.
		if kind, ok := strings.CutPrefix(msg, "cannot decode TOML "); ok && len(de.Key()) > 0 {
			kind, _, _ = strings.Cut(kind, " ")
			msg = fmt.Sprintf("%s cannot be a %s", strings.Join(de.Key(), "."), kind)
		}
		return fmt.Errorf("line %d, column %d: %s", row, col, msg)
	}
	return err
}

// bom is the UTF-8 byte order mark.
const bom = "\ufeff"

// Doc is a TOML file's lines.
type Doc struct {
	lines []string
	eol   string
	bom   string // a byte order mark the file started with
}

// Parse splits data into lines, remembering whether they end in CRLF and
// whether the file starts with a byte order mark.
func Parse(data []byte) *Doc {
	d := &Doc{eol: "\n"}
	text := string(data)
	if t, ok := strings.CutPrefix(text, bom); ok {
		d.bom, text = bom, t
	}
	if strings.Contains(text, "\r\n") {
		d.eol = "\r\n"
		text = strings.ReplaceAll(text, "\r\n", "\n")
	}
	if text = strings.TrimRight(text, "\n"); text != "" {
		d.lines = strings.Split(text, "\n")
	}
	return d
}

// Bytes joins the lines again, each ended as the file's were, after the
// byte order mark the file had.
func (d *Doc) Bytes() []byte {
	if len(d.lines) == 0 {
		return nil
	}
	return []byte(d.bom + strings.Join(d.lines, d.eol) + d.eol)
}

// Tables returns the lines of the headers [path...] (each part bare or
// quoted, spaces and a trailing comment allowed); a well-formed file has
// at most one.
func (d *Doc) Tables(path ...string) []int {
	var at []int
	for i, l := range d.lines {
		if parts, ok := header(l); ok && slices.Equal(parts, path) {
			at = append(at, i)
		}
	}
	return at
}

// header reads a [table] line's dotted name.
func header(line string) ([]string, bool) {
	t := strings.TrimSpace(line)
	if !strings.HasPrefix(t, "[") || strings.HasPrefix(t, "[[") {
		return nil, false
	}
	end := strings.Index(t, "]")
	if end < 0 {
		return nil, false
	}
	if rest := strings.TrimSpace(t[end+1:]); rest != "" && !strings.HasPrefix(rest, "#") {
		return nil, false
	}
	var parts []string
	for _, p := range strings.Split(t[1:end], ".") {
		parts = append(parts, unquote(strings.TrimSpace(p)))
	}
	return parts, true
}

func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' && s[len(s)-1] == '"' || s[0] == '\'' && s[len(s)-1] == '\'') {
		return s[1 : len(s)-1]
	}
	return s
}

// AddTable appends the header [name] at the end (name as it is to be
// written, parts quoted where the caller wants), after a blank line, and
// returns its line.
func (d *Doc) AddTable(name string) int {
	if n := len(d.lines); n > 0 && strings.TrimSpace(d.lines[n-1]) != "" {
		d.lines = append(d.lines, "")
	}
	d.lines = append(d.lines, "["+name+"]")
	return len(d.lines) - 1
}

// end is the line after the table whose header is at table.
func (d *Doc) end(table int) int {
	for i := table + 1; i < len(d.lines); i++ {
		if strings.HasPrefix(strings.TrimSpace(d.lines[i]), "[") {
			return i
		}
	}
	return len(d.lines)
}

// Key finds key in the table whose header is at table: its first and
// last lines (a multi-line array ends where its brackets close), or -1.
func (d *Doc) Key(table int, key string) (first, last int) {
	for i := table + 1; i < d.end(table); i++ {
		f, l := d.keyAt(i)
		if f < 0 {
			continue
		}
		if k, _, _ := strings.Cut(strings.TrimSpace(d.lines[i]), "="); unquote(strings.TrimSpace(k)) == key {
			return f, l
		}
		i = l
	}
	return -1, -1
}

// Set makes key = value in the table whose header is at table: its
// line(s) replaced, or a line added after the table's last key. A
// one-line setting that already says value (a trailing comment and all)
// is left alone.
func (d *Doc) Set(table int, key, value string) {
	line := key + " = " + value
	first, last := d.Key(table, key)
	if first < 0 {
		at := table + 1
		for i := table + 1; i < d.end(table); i++ {
			if f, l := d.keyAt(i); f >= 0 {
				at, i = l+1, l
			}
		}
		d.lines = slices.Insert(d.lines, at, line)
		return
	}
	if first == last {
		old, _, _ := strings.Cut(d.lines[first], "#")
		if strings.ReplaceAll(old, " ", "") == strings.ReplaceAll(line, " ", "") {
			return
		}
	}
	d.lines = slices.Concat(d.lines[:first], []string{line}, d.lines[last+1:])
}

// keyAt returns the lines of the key that starts at line i, or -1.
func (d *Doc) keyAt(i int) (first, last int) {
	k, _, ok := strings.Cut(strings.TrimSpace(d.lines[i]), "=")
	if !ok || strings.HasPrefix(k, "#") || k == "" {
		return -1, -1
	}
	last, depth := i, strings.Count(d.lines[i], "[")-strings.Count(d.lines[i], "]")
	for depth > 0 && last < len(d.lines)-1 {
		last++
		depth += strings.Count(d.lines[last], "[") - strings.Count(d.lines[last], "]")
	}
	return i, last
}

// Drop removes key's line(s) from the table whose header is at table.
func (d *Doc) Drop(table int, key string) {
	if first, last := d.Key(table, key); first >= 0 {
		d.lines = slices.Delete(d.lines, first, last+1)
	}
}

// String quotes s as a TOML basic string.
func String(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// Strings writes s as a TOML array of strings on one line.
func Strings(s []string) string {
	q := make([]string, len(s))
	for i, v := range s {
		q[i] = String(v)
	}
	return "[" + strings.Join(q, ", ") + "]"
}
