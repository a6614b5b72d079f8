package keyctlring

import (
	"errors"
	"fmt"
	"runtime"

	"github.com/99designs/keyring"
	"golang.org/x/sys/unix"
)

// ring is the library's keyctl backend with Set replaced.
type ring struct {
	keyring.Keyring
	target int
	perm   uint32
}

// Wrap returns r, the library's keyctl backend opened on the keyring
// called service in the user keyring with permissions perm, with a Set
// that leaves no key behind when it fails. With perm 0 the library adds
// keys straight to the target, and r is returned as it is.
func Wrap(r keyring.Keyring, service string, perm uint32) (keyring.Keyring, error) {
	if perm == 0 {
		return r, nil
	}
	id, err := unix.KeyctlSearch(unix.KEY_SPEC_USER_KEYRING, "keyring", service, 0)
	if err != nil {
		return nil, fmt.Errorf("finding the %q keyring: %w", service, err)
	}
	return &ring{Keyring: r, target: id, perm: perm}, nil
}

// Set implements keyring.Keyring as the library does (the key is made in
// the session keyring, given its permissions, linked into the target),
// on one thread, and the key is unlinked from the session keyring however
// it ends: on a failure that drops its only link, and the kernel frees it.
func (r *ring) Set(it keyring.Item) error {
	// Credentials, the session keyring among them, are a thread's: a
	// thread without one gets its own at the first write. On one thread,
	// the key is unlinked from the session keyring it was made in.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	id, err := unix.AddKey("user", it.Key, it.Data, unix.KEY_SPEC_SESSION_KEYRING)
	if err != nil {
		return fmt.Errorf("adding key to session failed: %w", err)
	}
	if err := unix.KeyctlSetperm(id, r.perm); err != nil {
		return errors.Join(fmt.Errorf("setting permission 0x%x failed: %w", r.perm, err), unlinkSession(id))
	}
	if _, err := unix.KeyctlInt(unix.KEYCTL_LINK, id, r.target, 0, 0); err != nil {
		return errors.Join(fmt.Errorf("linking key to keyring failed: %w", err), unlinkSession(id))
	}
	return unlinkSession(id)
}

// unlinkSession unlinks key id from the session keyring.
func unlinkSession(id int) error {
	if _, err := unix.KeyctlInt(unix.KEYCTL_UNLINK, id, unix.KEY_SPEC_SESSION_KEYRING, 0, 0); err != nil {
		return fmt.Errorf("unlinking key from session failed: %w", err)
	}
	return nil
}
