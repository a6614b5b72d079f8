// Package keyringenv keeps github.com/99designs/keyring's package init from
// starting processes. That init asks godbus for the session bus twice (to
// register the KWallet and Secret Service backends) in every process that
// imports it. With no bus address, godbus falls back to running
// dbus-launch, which (with dbus-x11 installed) leaves a dbus-daemon behind
// per process and costs about 8 ms each time.
//
// This package's init, which runs first, sets two variables for the
// length of keyring's init, unless the user gave them a value:
//   - DISABLE_KWALLET=1, which keyring honours: authwrap never uses KWallet
//     (it hangs on a wizard on headless machines);
//   - DBUS_SESSION_BUS_ADDRESS to an address no transport accepts, only
//     when no session bus can exist (no address and no
//     $XDG_RUNTIME_DIR/bus), so godbus fails at once instead of launching.
//
// Go initialises packages in import-path order among those whose imports
// are ready (the spec's rule since Go 1.21); godbus, which keyring needs
// first, sorts after this package, so this init always runs before
// keyring's. Restore puts the environment back once keyring is
// initialised, so child processes inherit it as it was.
package keyringenv

import (
	"os"
	"path/filepath"
)

// NoBusAddress is the placeholder session bus address set while keyring
// initialises on a machine without a session bus.
const NoBusAddress = "none-no-session-bus:"

// saved holds the variables this package changed and how they were.
var saved []struct {
	name, value string
	present     bool
}

// setIfEmpty sets name unless it holds a value already (set but empty
// counts as empty: godbus and keyring treat it so).
func setIfEmpty(name, value string) {
	old, present := os.LookupEnv(name)
	if old == "" && os.Setenv(name, value) == nil {
		saved = append(saved, struct {
			name, value string
			present     bool
		}{name, old, present})
	}
}

func init() {
	setIfEmpty("DISABLE_KWALLET", "1")
	if !SessionBusLikely() {
		setIfEmpty("DBUS_SESSION_BUS_ADDRESS", NoBusAddress)
	}
}

// SessionBusLikely reports whether a D-Bus session bus may be reached
// without launching one: an address in the environment, or the socket
// systemd provides at $XDG_RUNTIME_DIR/bus.
func SessionBusLikely() bool {
	if a := os.Getenv("DBUS_SESSION_BUS_ADDRESS"); a != "" && a != NoBusAddress && a != "autolaunch:" {
		return true
	}
	if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" {
		if _, err := os.Stat(filepath.Join(d, "bus")); err == nil {
			return true
		}
	}
	return false
}

// Restore puts the variables this package set back as they were.
func Restore() {
	for _, v := range saved {
		if v.present {
			_ = os.Setenv(v.name, v.value)
		} else {
			_ = os.Unsetenv(v.name)
		}
	}
	saved = nil
}
