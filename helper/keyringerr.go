package helper

import (
	"errors"
	"fmt"
	"strings"
	"syscall"
)

// ErrKeyringLocked means the keyring holds the session but will not give
// it out until it is unlocked (a locked secret-service collection).
var ErrKeyringLocked = errors.New("the keyring is locked")

// ErrKeyringFull means the keyring refused to store the session for lack
// of room: the kernel's key quota for keyctl, a full disk for the file
// backend. The session stored before is kept.
var ErrKeyringFull = errors.New("the keyring is full")

// ErrStateDir means the state directory, which holds the profiles' lock
// files, cannot be created or written, or is not safely the user's own.
var ErrStateDir = errors.New("the state directory is not usable")

// classify adds ErrKeyringFull, ErrKeyringLocked or ErrWrongPassphrase to
// a backend error that is one, keeping the backend's own words.
func classify(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, syscall.EDQUOT), errors.Is(err, syscall.ENOSPC),
		// The keyctl backend formats the errno into its message.
		strings.HasSuffix(err.Error(), syscall.EDQUOT.Error()):
		return fmt.Errorf("%w: %w", ErrKeyringFull, err)
	case isLocked(err):
		return fmt.Errorf("%w: %w", ErrKeyringLocked, err)
	case strings.Contains(err.Error(), "integrity check failed"):
		// The file backend's decryption (jose) with another passphrase:
		// said plainly, the library's words kept for errors.As only.
		return &plainError{plain: ErrWrongPassphrase, err: err}
	}
	return err
}

// plainError shows only its plain sentinel, and unwraps to both it and
// the backend's error behind it.
type plainError struct {
	plain error
	err   error
}

func (e *plainError) Error() string   { return e.plain.Error() }
func (e *plainError) Unwrap() []error { return []error{e.plain, e.err} }
