package config

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"

	"github.com/authwrap/authwrap/internal/fsutil"
	"github.com/authwrap/authwrap/internal/tomledit"
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
	// Read once, checked (what is kept of the file is what was checked).
	data, err := fsutil.ReadTrusted(path)
	if errors.Is(err, fsutil.ErrUntrusted) {
		return false, fmt.Errorf("%w: %w", ErrConfig, err)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, err
	}
	cfg, err := parse(path, data)
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
	doc := tomledit.Parse(data)
	start := -1
	if at := doc.Tables("profiles", profile); len(at) > 0 {
		start = at[0]
	}
	if start < 0 {
		if remove {
			return false, nil
		}
		start = doc.AddTable("profiles." + tomledit.String(profile))
	}
	kv := []struct{ key, value, drop string }{
		{"client_id", set.ClientID, ""}, {"api_url", set.APIURL, "issuer"}, {"issuer", set.Issuer, "api_url"},
	}
	for _, s := range kv {
		if s.value != "" {
			doc.Set(start, s.key, tomledit.String(s.value))
			if s.drop != "" {
				doc.Drop(start, s.drop)
			}
		}
	}
	doc.Set(start, "hosts", tomledit.Strings(hosts))
	out := doc.Bytes()
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
