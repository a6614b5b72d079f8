package integrate

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sync"

	"github.com/authwrap/authwrap/internal/credhelper"
)

// Pip is pip's (and uv's) keyring subprocess provider: the `keyring`
// command they run from PATH, which is authwrap when `setup pip` made it.
type Pip struct {
	// Self is authwrap's binary, to recognise a keyring that is authwrap.
	Self string
}

// Name implements Tool.
func (Pip) Name() string { return "pip" }

// Uses implements Tool: the keyring on PATH is authwrap, and pip's or
// uv's configuration (files or variables) names an index on host.
func (p Pip) Uses(host string) (bool, error) {
	if _, ours := p.KeyringOnPath(); !ours {
		return false, nil
	}
	return slices.Contains(pipIndexHosts(), host), nil
}

// KeyringOnPath is the keyring command pip and uv would run ("" when
// there is none), and whether it is authwrap.
func (p Pip) KeyringOnPath() (path string, ours bool) {
	k, err := exec.LookPath("keyring")
	if err != nil {
		return "", false
	}
	return k, IsSameProgram(k, p.Self)
}

// urlInText finds the URLs in a configuration file or variable.
var urlInText = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`https?://[^\s"',]+`) })

// pipIndexHosts lists the hosts of the URLs in pip's configuration files
// and in pip's and uv's index variables.
func pipIndexHosts() []string {
	var texts []string
	for _, v := range []string{"PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "UV_INDEX_URL", "UV_EXTRA_INDEX_URL", "UV_DEFAULT_INDEX", "UV_INDEX"} {
		texts = append(texts, os.Getenv(v))
	}
	for _, f := range pipConfigFiles() {
		if b, err := os.ReadFile(f); err == nil {
			texts = append(texts, string(b))
		}
	}
	var hosts []string
	for _, t := range texts {
		for _, u := range urlInText().FindAllString(t, -1) {
			if t, err := credhelper.ParseHostOrURL(credhelper.WithoutUserInfo(u)); err == nil {
				hosts = append(hosts, t.Host)
			}
		}
	}
	return hosts
}

// pipConfigFiles are the files pip reads its configuration from.
func pipConfigFiles() []string {
	if f := os.Getenv("PIP_CONFIG_FILE"); f != "" {
		return []string{f}
	}
	home, _ := os.UserHomeDir()
	xdg := os.Getenv("XDG_CONFIG_HOME")
	if xdg == "" {
		xdg = filepath.Join(home, ".config")
	}
	files := []string{"/etc/pip.conf", "/etc/xdg/pip/pip.conf", filepath.Join(xdg, "pip", "pip.conf"), filepath.Join(home, ".pip", "pip.conf"),
		filepath.Join(home, "Library", "Application Support", "pip", "pip.conf")}
	if runtime.GOOS == "windows" {
		files = []string{filepath.Join(os.Getenv("APPDATA"), "pip", "pip.ini"), filepath.Join(home, "pip", "pip.ini")}
	}
	if v := os.Getenv("VIRTUAL_ENV"); v != "" {
		files = append(files, filepath.Join(v, "pip.conf"), filepath.Join(v, "pip.ini"))
	}
	return files
}

// IsSameProgram reports whether path is the program self: the same file
// through symbolic links, or a copy of it (Windows).
func IsSameProgram(path, self string) bool {
	a, err1 := os.Stat(path)
	b, err2 := os.Stat(self)
	if err1 != nil || err2 != nil {
		return false
	}
	if os.SameFile(a, b) {
		return true
	}
	if a.Size() != b.Size() {
		return false
	}
	x, err1 := os.ReadFile(path)
	y, err2 := os.ReadFile(self)
	return err1 == nil && err2 == nil && bytes.Equal(x, y)
}

// ErrNotOurs means a file setup would replace is another program's.
var ErrNotOurs = errors.New("another program is there")

// InstallKeyring makes authwrap runnable as `keyring` in dir: a symbolic
// link (a copy named keyring.exe on Windows). A keyring there that is not
// authwrap is replaced only with force. It returns the path.
func InstallKeyring(self, dir string, force bool) (string, error) {
	name := HelperFile("keyring")
	path := filepath.Join(dir, name)
	if _, err := os.Lstat(path); err == nil {
		if IsSameProgram(path, self) {
			return path, nil
		}
		if !force {
			return "", fmt.Errorf("%w: %s is not authwrap (a Python keyring?): pass --force to replace it, or --link-dir to put authwrap's elsewhere", ErrNotOurs, path)
		}
		if err := os.Remove(path); err != nil {
			return "", err
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	if runtime.GOOS == "windows" {
		b, err := os.ReadFile(self)
		if err != nil {
			return "", err
		}
		return path, os.WriteFile(path, b, 0o755)
	}
	return path, os.Symlink(self, path)
}

// RemoveKeyring removes authwrap's keyring from dir; another program's
// is left alone.
func RemoveKeyring(self, dir string) error {
	path := filepath.Join(dir, HelperFile("keyring"))
	if !IsSameProgram(path, self) {
		return fmt.Errorf("%w: %s is not authwrap's keyring", ErrNothingToRemove, path)
	}
	return os.Remove(path)
}
