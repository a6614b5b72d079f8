package config

import (
	"slices"

	"github.com/authwrap/authwrap/internal/tomledit"
)

// Settings are the profile settings the user gave explicitly (flags on
// setup or login): only these are written to the file. Values that came
// from the environment are never saved.
type Settings struct {
	ClientID, APIURL, Issuer string
	Scopes                   []string
}

// SetHost adds host to (or, with remove, takes it from) the profile's
// hosts in the config file at path, creating the profile when the file
// has none, and writes set's non-empty settings into it (replacing the
// file's; an api_url replaces an issuer and the other way round). The
// file is edited in place, line by line, so comments and layout survive,
// and replaced atomically (write, then rename). changed is false when the
// file already said all this. With host "", only the settings are
// written (login saves the flags it was given this way).
func SetHost(path, profile string, set Settings, host string, remove bool) (changed bool, err error) {
	if remove {
		set = Settings{} // undoing a setup changes no setting
	}
	return edit(path, func(doc *tomledit.Doc) error {
		start := -1
		if at := doc.Tables("profiles", profile); len(at) > 0 {
			start = at[0]
		}
		var hosts []string
		if start >= 0 {
			cfg, err := parse(path, doc.Bytes())
			if err != nil {
				return err
			}
			if existing := cfg.Profiles[profile]; existing != nil {
				hosts = slices.Clone(existing.Hosts)
			}
		} else if remove {
			return nil
		} else {
			start = doc.AddTable("profiles." + tomledit.String(profile))
		}
		i := slices.Index(hosts, host)
		switch {
		case remove && i >= 0:
			hosts = slices.Delete(hosts, i, i+1)
		case !remove && i < 0:
			hosts = append(hosts, host)
		}
		kv := []struct{ key, value, drop string }{
			{"client_id", set.ClientID, ""}, {"api_url", set.APIURL, "issuer"}, {"issuer", set.Issuer, "api_url"},
		}
		if len(set.Scopes) > 0 {
			doc.Set(start, "scopes", tomledit.Strings(set.Scopes))
		}
		for _, s := range kv {
			if s.value != "" {
				doc.Set(start, s.key, tomledit.String(s.value))
				if s.drop != "" {
					doc.Drop(start, s.drop)
				}
			}
		}
		if host != "" || remove {
			doc.Set(start, "hosts", tomledit.Strings(hosts))
		}
		return nil
	})
}
