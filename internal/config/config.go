// Package config reads and edits authwrap's configuration file: the
// profiles, each a helper.Profile with the hosts that may receive its
// token and what to send with it.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/authwrap/authwrap/helper"
	"github.com/authwrap/authwrap/internal/fsutil"
	"github.com/authwrap/authwrap/internal/tomledit"
	"github.com/authwrap/authwrap/internal/xdg"
)

// Entry is one profile in the file.
type Entry struct {
	helper.Profile
	// Hosts are the git hosts and docker registries (host or host:port)
	// that may receive this profile's token. No other host ever gets it.
	Hosts []string `toml:"hosts,omitempty" json:"hosts,omitempty"`
	// Username goes with the token as the username (default
	// DefaultUsername); registries and forges differ in what they expect.
	Username string `toml:"username,omitempty" json:"username,omitempty"`
	// Bearer answers git 2.46+ with authtype=Bearer when git offers it,
	// instead of the token as a Basic password.
	Bearer bool `toml:"bearer,omitempty" json:"bearer,omitempty"`
	// KeepWarm is how long a process keeps the session fresh after its
	// last use (a duration: "30m"; "0" turns it off); empty means
	// helper.DefaultKeepWarm.
	KeepWarm string `toml:"keep_warm,omitempty" json:"keep_warm,omitempty"`
	// MinTTL is how long a token handed to a tool (git, docker, kubectl,
	// Terraform, cargo, Go, pip) must stay valid; empty means
	// DefaultMinTTL.
	MinTTL string `toml:"min_ttl,omitempty" json:"min_ttl,omitempty"`
	// ClientSecretFile names a file holding the client secret of a WorkOS
	// M2M application, which makes the profile a machine identity. The
	// secret itself is never kept in this file.
	ClientSecretFile string `toml:"client_secret_file,omitempty" json:"client_secret_file,omitempty"`
}

// DefaultMinTTL is how long a token handed to a tool must stay valid
// when the profile says nothing: a token with less left is refreshed
// first.
const DefaultMinTTL = time.Minute

// KeepWarmWindow is the profile's keep_warm: zero when it is off.
func (e *Entry) KeepWarmWindow() time.Duration {
	d, err := parseDuration(e.KeepWarm, helper.DefaultKeepWarm)
	if err != nil {
		return 0
	}
	return d
}

// ToolMinTTL is the profile's min_ttl.
func (e *Entry) ToolMinTTL() time.Duration {
	d, err := parseDuration(e.MinTTL, DefaultMinTTL)
	if err != nil {
		return DefaultMinTTL
	}
	return d
}

// parseDuration reads a duration setting: "30m", "1h30m", "0"; empty is
// def. Negative durations and ones over a day are refused.
func parseDuration(v string, def time.Duration) (time.Duration, error) {
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 || d > 24*time.Hour {
		return 0, fmt.Errorf("%.20q is not a duration from 0 to 24h (such as 30s, 30m or 1h)", v)
	}
	return d, nil
}

// DefaultUsername is sent with the token when a profile names none.
const DefaultUsername = "x-access-token"

// User returns the username to send with the token.
func (e *Entry) User() string {
	if e.Username != "" {
		return e.Username
	}
	return DefaultUsername
}

// Config is the configuration file: profiles and global settings.
type Config struct {
	// DefaultProfile is used when no profile is named.
	DefaultProfile string `toml:"default_profile,omitempty"`
	// KeyringBackend forces one storage backend (see helper.Backends).
	KeyringBackend string `toml:"keyring_backend,omitempty"`
	// Profiles by name.
	Profiles map[string]*Entry `toml:"profiles,omitempty"`
}

// Entries returns the profiles sorted by name (only the named one when
// only is set), so that every search through them has one answer.
func (c *Config) Entries(only string) []*Entry {
	var out []*Entry
	for name, e := range c.Profiles {
		if only == "" || name == only {
			out = append(out, e)
		}
	}
	slices.SortFunc(out, func(a, b *Entry) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// ErrConfig marks an unreadable or invalid configuration file.
var ErrConfig = errors.New("bad configuration")

// Path is the configuration file: $XDG_CONFIG_HOME/authwrap/config.toml,
// or ~/.config/authwrap/config.toml.
func Path() string { return filepath.Join(xdg.ConfigHome("authwrap"), "authwrap", "config.toml") }

// Load reads the configuration at path. A missing file is an empty
// configuration, not an error. The file decides which hosts receive a
// token, so one that another user could have written or replaced is
// refused (fsutil.ReadTrusted: checked and read as one file), on every
// path that reads it.
func Load(path string) (*Config, error) {
	data, err := fsutil.ReadTrusted(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &Config{}, nil
	} else if errors.Is(err, fsutil.ErrUntrusted) {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	} else if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrConfig, err)
	}
	return parse(path, data)
}

// parse decodes the configuration read from path.
func parse(path string, data []byte) (*Config, error) {
	cfg := &Config{}
	if err := tomledit.Decode(data, cfg, true); err != nil {
		if strings.Contains(err.Error(), `.client_secret"`) {
			return nil, fmt.Errorf("%w: %s: %w", ErrConfig, path, ErrSecretSetting)
		}
		return nil, fmt.Errorf("%w: %s: %v", ErrConfig, path, err)
	}
	for name, e := range cfg.Profiles {
		if err := helper.CheckProfileName(name); err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrConfig, path, err)
		}
		if e == nil {
			e = &Entry{}
			cfg.Profiles[name] = e
		}
		e.Name = name
		for key, v := range map[string]string{"keep_warm": e.KeepWarm, "min_ttl": e.MinTTL} {
			if _, err := parseDuration(v, 0); err != nil {
				return nil, fmt.Errorf("%w: %s: profile %s: %s: %v", ErrConfig, path, name, key, err)
			}
		}
	}
	return cfg, nil
}

// Errors of Resolve, in a *ProfileError that names the profile.
var (
	// ErrNoProfile means the configuration has no such profile.
	ErrNoProfile = errors.New("no such profile in the configuration")
	// ErrNoClientID means the profile names no client ID.
	ErrNoClientID = helper.ErrNoClientID
)

// ProfileError is why a profile cannot be used.
type ProfileError struct {
	Profile string
	Err     error
}

// Error says which profile and why.
func (e *ProfileError) Error() string {
	if errors.Is(e.Err, ErrNoClientID) {
		return fmt.Sprintf("profile %q has no client ID", e.Profile)
	}
	return fmt.Sprintf("no profile %q in %s", e.Profile, Path())
}

// Unwrap returns the reason.
func (e *ProfileError) Unwrap() error { return e.Err }

// Resolve returns the named profile (the file's default, else
// helper.DefaultProfile, when name is empty) with the non-empty fields of
// override laid over it. An override of APIURL clears the file's Issuer
// and the other way round, so an environment variable can switch flavour.
func (c *Config) Resolve(name string, override helper.Profile) (*Entry, error) {
	if name == "" {
		name = c.DefaultProfile
	}
	if name == "" {
		name = helper.DefaultProfile
	}
	if err := helper.CheckProfileName(name); err != nil {
		return nil, err
	}
	e := &Entry{Profile: helper.Profile{Name: name}}
	if fe, ok := c.Profiles[name]; ok {
		cp := *fe
		e = &cp
		e.Name = name
	} else if name != helper.DefaultProfile && override.ClientID == "" {
		return nil, &ProfileError{Profile: name, Err: ErrNoProfile}
	}
	if override.APIURL != "" && override.Issuer != "" {
		return nil, fmt.Errorf("both an API URL (%s, from --api-url or AUTHWRAP_API_URL) and an issuer (%s, from --issuer or AUTHWRAP_ISSUER) are given: keep --api-url for WorkOS User Management or --issuer for a standard server",
			override.APIURL, override.Issuer)
	}
	if override.ClientID != "" {
		e.ClientID = override.ClientID
	}
	if override.APIURL != "" {
		e.APIURL, e.Issuer = override.APIURL, ""
	}
	if override.Issuer != "" {
		e.Issuer, e.APIURL = override.Issuer, ""
	}
	if len(override.Scopes) > 0 {
		e.Scopes = override.Scopes
	}
	if e.Issuer != "" && len(e.Scopes) == 0 {
		e.Scopes = helper.DefaultScopes
	}
	if e.ClientID == "" {
		return nil, &ProfileError{Profile: name, Err: ErrNoClientID}
	}
	return e, e.Validate()
}
