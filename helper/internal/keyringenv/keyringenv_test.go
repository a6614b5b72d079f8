package keyringenv

import (
	"os"
	"testing"
)

func TestRestore(t *testing.T) {
	t.Setenv("DISABLE_KWALLET", "")
	os.Unsetenv("DISABLE_KWALLET")
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	setIfEmpty("DISABLE_KWALLET", "1")
	if !SessionBusLikely() {
		setIfEmpty("DBUS_SESSION_BUS_ADDRESS", NoBusAddress)
	}
	if os.Getenv("DISABLE_KWALLET") != "1" || os.Getenv("DBUS_SESSION_BUS_ADDRESS") != NoBusAddress {
		t.Fatal("the variables were not set for keyring's init")
	}
	Restore()
	if _, ok := os.LookupEnv("DISABLE_KWALLET"); ok {
		t.Error("DISABLE_KWALLET was unset before and must be unset again")
	}
	if v, ok := os.LookupEnv("DBUS_SESSION_BUS_ADDRESS"); !ok || v != "" {
		t.Errorf("DBUS_SESSION_BUS_ADDRESS = %q, %v; want set and empty as before", v, ok)
	}
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/run/user/1/bus")
	if !SessionBusLikely() {
		t.Error("a bus address in the environment means a bus is likely")
	}
}
