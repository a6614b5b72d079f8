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

// SetHost adds host to (or, with remove, takes it from) the profile's
// hosts in the config file at path, creating the profile from p when the
// file has none. The file is edited in place, line by line, so comments
// and layout survive, and replaced atomically (write, then rename).
func SetHost(path string, p *Entry, host string, remove bool) error {
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	cfg, err := Load(path)
	if err != nil {
		return err
	}
	var hosts []string
	existing := cfg.Profiles[p.Name]
	if existing != nil {
		hosts = slices.Clone(existing.Hosts)
	}
	i := slices.Index(hosts, host)
	switch {
	case remove && i < 0, !remove && i >= 0:
		return nil // nothing to change
	case remove:
		hosts = slices.Delete(hosts, i, i+1)
	default:
		hosts = append(hosts, host)
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(data) == 0 {
		lines = nil
	}
	hostsLine := "hosts = " + tomlStrings(hosts)
	start := sectionStart(lines, p.Name)
	if start < 0 {
		lines = append(lines, "", "[profiles."+strconv.Quote(p.Name)+"]")
		lines = append(lines, "client_id = "+strconv.Quote(p.ClientID))
		if p.Issuer != "" {
			lines = append(lines, "issuer = "+strconv.Quote(p.Issuer))
		} else if p.APIURL != "" {
			lines = append(lines, "api_url = "+strconv.Quote(p.APIURL))
		}
		lines = append(lines, hostsLine)
	} else {
		lines = replaceHosts(lines, start, hostsLine)
	}
	out := []byte(strings.TrimLeft(strings.Join(lines, "\n"), "\n") + "\n")
	if err := fsutil.WriteAtomic(path, out); err != nil {
		return err
	}
	if _, err := Load(path); err != nil {
		_ = fsutil.WriteAtomic(path, data) // put the old file back
		return fmt.Errorf("editing %s went wrong, left it as it was: %w", path, err)
	}
	return nil
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

// replaceHosts replaces the hosts line of the section starting at start
// (a multi-line array included), or adds one after the header.
func replaceHosts(lines []string, start int, hostsLine string) []string {
	for i := start + 1; i < len(lines); i++ {
		t := strings.TrimSpace(lines[i])
		if strings.HasPrefix(t, "[") {
			break
		}
		if k, _, ok := strings.Cut(t, "="); ok && strings.TrimSpace(k) == "hosts" {
			// The array may span lines: it ends where its brackets close.
			end, depth := i, strings.Count(lines[i], "[")-strings.Count(lines[i], "]")
			for depth > 0 && end < len(lines)-1 {
				end++
				depth += strings.Count(lines[end], "[") - strings.Count(lines[end], "]")
			}
			return slices.Concat(lines[:i], []string{hostsLine}, lines[end+1:])
		}
	}
	return slices.Concat(lines[:start+1], []string{hostsLine}, lines[start+1:])
}

func tomlStrings(s []string) string {
	q := make([]string, len(s))
	for i, v := range s {
		q[i] = strconv.Quote(v)
	}
	return "[" + strings.Join(q, ", ") + "]"
}
