package integrate

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/authwrap/authwrap/internal/credhelper"
	"github.com/authwrap/authwrap/internal/fsutil"
	"github.com/authwrap/authwrap/internal/tomledit"
	"github.com/authwrap/authwrap/protocol"
)

// CargoConfigPath is cargo's user configuration: $CARGO_HOME/config.toml
// (default ~/.cargo), or the older name config when only that exists.
func CargoConfigPath() string {
	home := os.Getenv("CARGO_HOME")
	if home == "" {
		h, _ := os.UserHomeDir()
		home = filepath.Join(h, ".cargo")
	}
	p := filepath.Join(home, "config.toml")
	if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
		if _, err := os.Stat(filepath.Join(home, "config")); err == nil {
			return filepath.Join(home, "config")
		}
	}
	return p
}

// Cargo is cargo's configuration file.
type Cargo struct {
	// Path is the file (CargoConfigPath for the user's).
	Path string
}

// Name implements Tool.
func (Cargo) Name() string { return "cargo" }

// cargoFile is what authwrap reads of cargo's configuration.
type cargoFile struct {
	Registries map[string]cargoRegistry `toml:"registries"`
}

// cargoRegistry is one [registries.NAME] table.
type cargoRegistry struct {
	Index string `toml:"index"`
	// CredentialProvider is a string or an array of strings: cargo takes
	// both (Provider).
	CredentialProvider any `toml:"credential-provider"`
}

// Provider is the credential-provider's program and arguments: an array
// as it is, a string split at spaces as cargo splits it; nil for another
// value.
func (r cargoRegistry) Provider() []string {
	switch v := r.CredentialProvider.(type) {
	case string:
		return strings.Fields(v)
	case []any:
		argv := make([]string, 0, len(v))
		for _, a := range v {
			s, ok := a.(string)
			if !ok {
				return nil
			}
			argv = append(argv, s)
		}
		return argv
	}
	return nil
}

// ErrCargoConfig means cargo's configuration has a shape setup does not
// edit (or is not TOML); nothing was written.
var ErrCargoConfig = errors.New("cargo's configuration cannot be edited here")

// IsAuthwrapProvider reports whether a credential-provider runs authwrap's
// cargo provider.
func IsAuthwrapProvider(argv []string) bool {
	return len(argv) > 0 && strings.Contains(filepath.Base(argv[0]), "authwrap") &&
		(slices.Contains(argv, "cargo-credential") || strings.Contains(filepath.Base(argv[0]), "cargo-credential-authwrap"))
}

// Uses implements Tool: a registry whose index is on host has authwrap as
// its credential-provider.
func (c Cargo) Uses(host string) (bool, error) {
	f, _, err := c.read()
	if err != nil {
		return false, err
	}
	for _, r := range f.Registries {
		if IsAuthwrapProvider(r.Provider()) && indexHost(r.Index) == host {
			return true, nil
		}
	}
	return false, nil
}

// indexHost is the canonical host[:port] of a registry's index URL, as
// profiles list hosts, or "" for one authwrap would not serve.
func indexHost(index string) string {
	t, err := credhelper.ParseTargetURL(protocol.CargoIndexURL(index))
	if err != nil {
		return ""
	}
	return t.Host
}

func (c Cargo) read() (*cargoFile, []byte, error) { return c.readWith(os.ReadFile) }

// readWith reads and decodes cargo's configuration with readFile.
func (c Cargo) readWith(readFile func(string) ([]byte, error)) (*cargoFile, []byte, error) {
	data, err := readFile(c.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return &cargoFile{}, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	var f cargoFile
	if err := tomledit.Decode(data, &f, false); err != nil {
		return nil, nil, fmt.Errorf("%w: %s is not valid TOML (%v): fix it first", ErrCargoConfig, c.Path, err)
	}
	return &f, data, nil
}

// validRegistryName is what cargo accepts as a registry name.
var validRegistryName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`) })

// Configure sets [registries.NAME]'s index (when index is not empty) and
// its credential-provider to provider, keeping every other line, comment
// and the order of the file. The table is added at the end when there is
// none. A registry defined another way (an inline table, dotted keys, a
// value over several lines) is refused: nothing is written.
func (c Cargo) Configure(name, index string, provider []string) error {
	return c.edit(name, func(doc *tomledit.Doc, table int) error {
		if index != "" {
			doc.Set(table, "index", tomledit.String(index))
		} else if first, _ := doc.Key(table, "index"); first < 0 {
			return fmt.Errorf("%w: registry %s has no index in %s: pass --index", ErrCargoConfig, name, c.Path)
		}
		doc.Set(table, "credential-provider", tomledit.Strings(provider))
		return nil
	}, func(f *cargoFile) error {
		r := f.Registries[name]
		if (index != "" && r.Index != index) || !slices.Equal(r.Provider(), provider) {
			return fmt.Errorf("%w: the edit did not read back as written", ErrCargoConfig)
		}
		return nil
	})
}

// ErrNothingToRemove means the configuration does not point at authwrap.
var ErrNothingToRemove = errors.New("nothing to remove")

// Remove takes authwrap's credential-provider out of [registries.NAME];
// the registry and its index stay.
func (c Cargo) Remove(name string) error {
	f, _, err := c.read()
	if err != nil {
		return err
	}
	if !IsAuthwrapProvider(f.Registries[name].Provider()) {
		return fmt.Errorf("%w: registry %s in %s has no authwrap credential-provider", ErrNothingToRemove, name, c.Path)
	}
	return c.edit(name, func(doc *tomledit.Doc, table int) error {
		doc.Drop(table, "credential-provider")
		return nil
	}, func(f *cargoFile) error {
		if f.Registries[name].CredentialProvider != nil {
			return fmt.Errorf("%w: the credential-provider is still there", ErrCargoConfig)
		}
		return nil
	})
}

// edit finds (or adds) the registry's table, lets change edit it, and
// writes the file only when the result is TOML that check accepts.
func (c Cargo) edit(name string, change func(doc *tomledit.Doc, table int) error, check func(*cargoFile) error) error {
	if !validRegistryName().MatchString(name) {
		return fmt.Errorf("%w: %q is not a registry name (letters, digits, - and _)", ErrCargoConfig, name)
	}
	f, data, err := c.read()
	if err != nil {
		return err
	}
	doc := tomledit.Parse(data)
	var table int
	switch at := doc.Tables("registries", name); {
	case len(at) > 1:
		return fmt.Errorf("%w: [registries.%s] appears twice in %s", ErrCargoConfig, name, c.Path)
	case len(at) == 1:
		table = at[0]
	default:
		if _, defined := f.Registries[name]; defined {
			return fmt.Errorf("%w: registry %s is defined in %s other than as a [registries.%s] table: edit it by hand", ErrCargoConfig, name, c.Path, name)
		}
		table = doc.AddTable("registries." + name)
	}
	for _, key := range []string{"index", "credential-provider"} {
		if first, last := doc.Key(table, key); first != last {
			return fmt.Errorf("%w: %s of registry %s spans several lines in %s: edit it by hand", ErrCargoConfig, key, name, c.Path)
		}
	}
	if err := change(doc, table); err != nil {
		return err
	}
	out := doc.Bytes()
	var after cargoFile
	if err := tomledit.Decode(out, &after, false); err != nil {
		return fmt.Errorf("%w: the edit would not be TOML (%v); nothing was written", ErrCargoConfig, err)
	}
	if err := check(&after); err != nil {
		return err
	}
	if err := fsutil.PrivateDir(filepath.Dir(c.Path)); err != nil {
		return err
	}
	return fsutil.WriteAtomic(c.Path, out)
}

// Index returns the index URL cargo's configuration gives registry name,
// or "". Its host is where setup sends the token, so a configuration
// another user could have written is refused (fsutil.ReadTrusted).
func (c Cargo) Index(name string) (string, error) {
	f, _, err := c.readWith(fsutil.ReadTrusted)
	if errors.Is(err, fsutil.ErrUntrusted) {
		return "", fmt.Errorf("cargo's configuration decides which host gets the token: %w (or pass --index)", err)
	} else if err != nil {
		return "", err
	}
	return f.Registries[name].Index, nil
}

// CargoRegistry is a registry in cargo's configuration.
type CargoRegistry struct {
	// Index is its index URL.
	Index string
	// Provider is its credential-provider command line.
	Provider []string
}

// Registries lists the registries whose credential-provider is authwrap.
func (c Cargo) Registries() (map[string]CargoRegistry, error) {
	f, _, err := c.read()
	if err != nil {
		return nil, err
	}
	out := map[string]CargoRegistry{}
	for name, r := range f.Registries {
		if IsAuthwrapProvider(r.Provider()) {
			out[name] = CargoRegistry{Index: r.Index, Provider: r.Provider()}
		}
	}
	return out, nil
}
