package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/authwrap/authwrap/internal/fsutil"
)

// Settings are the profile settings the user gave explicitly (flags on
// setup or login): only these are written to the file. Values that came
// from the environment are never saved.
type Settings struct {
	ClientID, APIURL, Issuer string
}

// SetHost adds host to (or, with remove, takes it from) the profile's
// hosts in the config file at path, creating the profile when the file
// has none, and writes set's non-empty settings into it (replacing the
// file's; an api_url replaces an issuer and the other way round). The
// file is edited in place, line by line, so comments and layout survive,
// and replaced atomically (write, then rename). changed is false when the
// file already said all this.
func SetHost(path, profile string, set Settings, host string, remove bool) (changed bool, err error) {
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, err
	}
	cfg, err := Load(path)
	if err != nil {
		return false, err
	}
	var hosts []string
	existing := cfg.Profiles[profile]
	if existing != nil {
		hosts = slices.Clone(existing.Hosts)
	}
	i := slices.Index(hosts, host)
	switch {
	case remove && i >= 0:
		hosts = slices.Delete(hosts, i, i+1)
	case !remove && i < 0:
		hosts = append(hosts, host)
	}
	if remove {
		set = Settings{} // undoing a setup changes no setting
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(data) == 0 {
		lines = nil
	}
	start := sectionStart(lines, profile)
	if start < 0 {
		if remove {
			return false, nil
		}
		lines = append(lines, "", "[profiles."+strconv.Quote(profile)+"]")
		start = len(lines) - 1
	}
	kv := []struct{ key, value, drop string }{
		{"client_id", set.ClientID, ""}, {"api_url", set.APIURL, "issuer"}, {"issuer", set.Issuer, "api_url"},
	}
	for _, s := range kv {
		if s.value != "" {
			lines = setKey(lines, start, s.key, s.key+" = "+strconv.Quote(s.value))
			lines = dropKey(lines, start, s.drop)
		}
	}
	lines = setKey(lines, start, "hosts", "hosts = "+tomlStrings(hosts))
	out := []byte(strings.TrimLeft(strings.Join(lines, "\n"), "\n") + "\n")
	if string(out) == string(data) {
		return false, nil
	}
	if err := fsutil.WriteAtomic(path, out); err != nil {
		return false, err
	}
	if _, err := Load(path); err != nil {
		_ = fsutil.WriteAtomic(path, data) // put the old file back
		return false, fmt.Errorf("editing %s went wrong, left it as it was: %w", path, err)
	}
	return true, nil
}

// sectionStart finds the line of [profiles.NAME] (quoted or not), or -1.
func sectionStart(lines []string, name string) int {
	for i, l := range lines {
		t := strings.ReplaceAll(strings.TrimSpace(l), " ", "")
		if t == "[profiles."+name+"]" || t == "[profiles."+strconv.Quote(name)+"]" {
			return i
		}
	}
	return -1
}

// keyLines finds key's lines in the section starting at start: the first
// and last (a multi-line array ends where its brackets close), or -1.
func keyLines(lines []string, start int, key string) (first, last int) {
	for i := start + 1; i < len(lines); i++ {
		t := strings.TrimSpace(lines[i])
		if strings.HasPrefix(t, "[") {
			break
		}
		if k, _, ok := strings.Cut(t, "="); ok && strings.TrimSpace(k) == key {
			end, depth := i, strings.Count(lines[i], "[")-strings.Count(lines[i], "]")
			for depth > 0 && end < len(lines)-1 {
				end++
				depth += strings.Count(lines[end], "[") - strings.Count(lines[end], "]")
			}
			return i, end
		}
	}
	return -1, -1
}

// setKey replaces key's line(s) in the section starting at start with
// line, or adds line after the header. A trailing comment on a one-line
// setting whose value is unchanged is kept (the line is left alone).
func setKey(lines []string, start int, key, line string) []string {
	first, last := keyLines(lines, start, key)
	if first < 0 {
		return slices.Concat(lines[:start+1], []string{line}, lines[start+1:])
	}
	if first == last {
		old, _, _ := strings.Cut(lines[first], "#")
		if strings.ReplaceAll(old, " ", "") == strings.ReplaceAll(line, " ", "") {
			return lines
		}
	}
	return slices.Concat(lines[:first], []string{line}, lines[last+1:])
}

// dropKey removes key's line(s) from the section starting at start.
func dropKey(lines []string, start int, key string) []string {
	if key == "" {
		return lines
	}
	first, last := keyLines(lines, start, key)
	if first < 0 {
		return lines
	}
	return slices.Concat(lines[:first], lines[last+1:])
}

func tomlStrings(s []string) string {
	q := make([]string, len(s))
	for i, v := range s {
		q[i] = strconv.Quote(v)
	}
	return "[" + strings.Join(q, ", ") + "]"
}
