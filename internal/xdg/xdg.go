// Package xdg says where a program keeps its files, as the XDG Base
// Directory specification puts them: configuration, state and data under
// $XDG_CONFIG_HOME, $XDG_STATE_HOME and $XDG_DATA_HOME, or their defaults
// in the home directory. It creates nothing.
package xdg

import (
	"fmt"
	"os"
	"os/user"
	"path/filepath"
)

// StateDir is where app keeps its lock files: $XDG_STATE_HOME/APP, or
// ~/.local/state/APP.
func StateDir(app string) string {
	return filepath.Join(dir(app, "XDG_STATE_HOME", ".local/state"), app)
}

// DataDir is where app's file keyring lives: $XDG_DATA_HOME/APP/keyring,
// or ~/.local/share/APP/keyring.
func DataDir(app string) string {
	return filepath.Join(dir(app, "XDG_DATA_HOME", ".local/share"), app, "keyring")
}

// ConfigHome is $XDG_CONFIG_HOME, or ~/.config (app's fallback home's
// when there is no home directory).
func ConfigHome(app string) string { return dir(app, "XDG_CONFIG_HOME", ".config") }

// dir is the variable's directory when it is set to an absolute path,
// else fallback under the home directory.
func dir(app, env, fallback string) string {
	if d := os.Getenv(env); d != "" && filepath.IsAbs(d) {
		return d
	}
	return filepath.Join(Home(app), fallback)
}

// Home is $HOME, else the account's home directory (a service or `env -i`
// may leave HOME unset), else a directory of this user's own under the
// temporary directory (APP-home-UID): never a path other users share.
func Home(app string) string {
	if home, err := os.UserHomeDir(); err == nil && filepath.IsAbs(home) {
		return home
	}
	if u, err := user.Current(); err == nil && filepath.IsAbs(u.HomeDir) {
		return u.HomeDir
	}
	return filepath.Join(os.TempDir(), fmt.Sprintf("%s-home-%d", app, os.Getuid()))
}
