// Package testkeys lets a test that uses the kernel keyring (keyctl,
// user scope, which every process of the user shares) leave nothing
// behind: it notes which of the named keyrings exist before the test,
// and unlinks from the user keyring those the test made. It is for tests
// only.
package testkeys

import (
	"golang.org/x/sys/unix"
)

// find returns the id of the keyring called name linked in @u, or 0.
func find(name string) int {
	id, err := unix.KeyctlSearch(unix.KEY_SPEC_USER_KEYRING, "keyring", name, 0)
	if err != nil {
		return 0
	}
	return id
}

// Forget notes which keyrings called names exist in the user keyring now;
// the function it returns unlinks from the user keyring each of them
// that did not exist then (with everything in it).
func Forget(names ...string) func() {
	existed := map[string]bool{}
	for _, n := range names {
		existed[n] = find(n) != 0
	}
	return func() {
		for _, n := range names {
			if existed[n] {
				continue
			}
			if id := find(n); id != 0 {
				_, _ = unix.KeyctlInt(unix.KEYCTL_UNLINK, id, unix.KEY_SPEC_USER_KEYRING, 0, 0)
			}
		}
	}
}

// Exists reports whether a keyring called name is linked in the user
// keyring.
func Exists(name string) bool { return find(name) != 0 }
