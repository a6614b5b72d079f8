package helper

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/authwrap/authwrap/flow"
)

// DefaultProfile is the profile used when none is named.
const DefaultProfile = "default"

// Profile is one account on one AuthKit application: where to sign in and
// with which client. A profile names either APIURL (WorkOS User
// Management) or Issuer (a standard RFC 8628 server found by discovery).
type Profile struct {
	// Name is the profile's name, from the config table key.
	Name string `toml:"-" json:"name"`
	// ClientID is the AuthKit application's public client ID.
	ClientID string `toml:"client_id,omitempty" json:"client_id"`
	// APIURL is the WorkOS API for the User Management flavour
	// (default https://api.workos.com).
	APIURL string `toml:"api_url,omitempty" json:"api_url,omitempty"`
	// Issuer selects the standard flavour, discovered from this URL.
	Issuer string `toml:"issuer,omitempty" json:"issuer,omitempty"`
	// Scopes are requested in the standard flavour.
	Scopes []string `toml:"scopes,omitempty" json:"scopes,omitempty"`
	// Hosts are the git hosts and docker registries (host or host:port)
	// that may receive this profile's token. No other host ever gets it.
	Hosts []string `toml:"hosts,omitempty" json:"hosts,omitempty"`
	// Username goes with the token as the username (default
	// DefaultUsername); registries and forges differ in what they expect.
	Username string `toml:"username,omitempty" json:"username,omitempty"`
	// Bearer answers git 2.46+ with authtype=Bearer when git offers it,
	// instead of the token as a Basic password.
	Bearer bool `toml:"bearer,omitempty" json:"bearer,omitempty"`
}

// DefaultUsername is sent with the token when a profile names none.
const DefaultUsername = "x-access-token"

// User returns the username to send with the token.
func (p Profile) User() string {
	if p.Username != "" {
		return p.Username
	}
	return DefaultUsername
}

// DefaultScopes are requested from standard servers when a profile names
// none: an ID token, the user's profile and email, and a refresh token.
var DefaultScopes = []string{"openid", "profile", "email", "offline_access"}

// Flavour reports which dialect the profile's server speaks.
func (p Profile) Flavour() flow.Flavour {
	if p.Issuer != "" {
		return flow.Standard
	}
	return flow.UserManagement
}

// Server is the URL that identifies the profile's server: the issuer, or
// the API URL.
func (p Profile) Server() string {
	if p.Issuer != "" {
		return strings.TrimRight(p.Issuer, "/")
	}
	if p.APIURL != "" {
		return strings.TrimRight(p.APIURL, "/")
	}
	return flow.DefaultAPIURL
}

// Validate checks that the profile can be used to sign in.
func (p Profile) Validate() error {
	if p.ClientID == "" {
		return fmt.Errorf("profile %q has no client ID: set client_id in %s or AUTHWRAP_CLIENT_ID", p.Name, ConfigPath())
	}
	if p.Issuer != "" && p.APIURL != "" {
		return fmt.Errorf("profile %q sets both api_url and issuer: keep api_url for WorkOS User Management or issuer for a standard server", p.Name)
	}
	if err := flow.CheckURL(p.Server()); err != nil {
		return fmt.Errorf("profile %q: %w", p.Name, err)
	}
	return nil
}

// Config is the configuration file: profiles and global settings.
type Config struct {
	// DefaultProfile is used when no profile is named.
	DefaultProfile string `toml:"default_profile,omitempty"`
	// KeyringBackend forces one storage backend (see Backends).
	KeyringBackend string `toml:"keyring_backend,omitempty"`
	// Profiles by name.
	Profiles map[string]*Profile `toml:"profiles,omitempty"`
}

// ErrConfig marks an unreadable or invalid configuration file.
var ErrConfig = errors.New("bad configuration")

// CheckProfileName rejects names that could not be a file name or a
// keyring key on every backend: it allows 1 to 64 letters, digits, '.',
// '_' and '-', starting with a letter or digit.
func CheckProfileName(name string) error {
	ok := len(name) >= 1 && len(name) <= 64
	for i := 0; ok && i < len(name); i++ {
		c := name[i]
		alnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		ok = alnum || (i > 0 && (c == '.' || c == '_' || c == '-'))
	}
	if !ok {
		return fmt.Errorf("bad profile name %q: use letters, digits, '.', '_' and '-' (at most 64)", name)
	}
	return nil
}

// LoadConfig reads the configuration at path. A missing file is an empty
// configuration, not an error.
func LoadConfig(path string) (*Config, error) {
	cfg := &Config{}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return cfg, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrConfig, err)
	}
	md, err := toml.Decode(string(data), cfg)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrConfig, path, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		return nil, fmt.Errorf("%w: %s: unknown setting %q", ErrConfig, path, und[0].String())
	}
	for name, p := range cfg.Profiles {
		if err := CheckProfileName(name); err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrConfig, path, err)
		}
		if p == nil {
			cfg.Profiles[name] = &Profile{}
		}
		cfg.Profiles[name].Name = name
	}
	return cfg, nil
}

// Resolve returns the named profile (or the default one when name is
// empty) with the non-empty fields of override laid over it. An override
// of APIURL clears the file's Issuer and the other way round, so an
// environment variable can switch flavour.
func (c *Config) Resolve(name string, override Profile) (Profile, error) {
	if name == "" {
		name = c.DefaultProfile
	}
	if name == "" {
		name = DefaultProfile
	}
	if err := CheckProfileName(name); err != nil {
		return Profile{}, err
	}
	p := Profile{Name: name}
	if fp, ok := c.Profiles[name]; ok {
		p = *fp
		p.Name = name
	} else if name != DefaultProfile && override.ClientID == "" {
		return Profile{}, fmt.Errorf("no profile %q in %s", name, ConfigPath())
	}
	if override.ClientID != "" {
		p.ClientID = override.ClientID
	}
	if override.APIURL != "" {
		p.APIURL, p.Issuer = override.APIURL, ""
	}
	if override.Issuer != "" {
		p.Issuer, p.APIURL = override.Issuer, ""
	}
	if len(override.Scopes) > 0 {
		p.Scopes = override.Scopes
	}
	if p.Issuer != "" && len(p.Scopes) == 0 {
		p.Scopes = DefaultScopes
	}
	return p, p.Validate()
}

// ConfigPath is the configuration file: $XDG_CONFIG_HOME/authwrap/config.toml,
// or ~/.config/authwrap/config.toml.
func ConfigPath() string {
	return filepath.Join(xdgDir("XDG_CONFIG_HOME", ".config"), "authwrap", "config.toml")
}

// StateDir is where lock files live: $XDG_STATE_HOME/authwrap, or
// ~/.local/state/authwrap.
func StateDir() string { return filepath.Join(xdgDir("XDG_STATE_HOME", ".local/state"), "authwrap") }

// DataDir is where the file keyring lives unless AUTHWRAP_FILE_DIR says
// otherwise: $XDG_DATA_HOME/authwrap/keyring, or ~/.local/share/authwrap/keyring.
func DataDir() string {
	if d := os.Getenv("AUTHWRAP_FILE_DIR"); d != "" {
		return d
	}
	return filepath.Join(xdgDir("XDG_DATA_HOME", ".local/share"), "authwrap", "keyring")
}

func xdgDir(env, fallback string) string {
	if d := os.Getenv(env); d != "" && filepath.IsAbs(d) {
		return d
	}
	home, err := os.UserHomeDir()
	if err != nil {
		home = os.TempDir()
	}
	return filepath.Join(home, fallback)
}

// ensurePrivateDir creates dir with mode 0700 (and tightens it if it
// exists with wider permissions).
func ensurePrivateDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return os.Chmod(dir, 0o700)
	}
	return nil
}
