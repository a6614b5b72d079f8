package fsutil

import (
	"errors"

	"golang.org/x/sys/windows"
)

// isTransientLock reports whether err is another process holding the
// file for a moment.
func isTransientLock(err error) bool {
	return errors.Is(err, windows.ERROR_ACCESS_DENIED) || errors.Is(err, windows.ERROR_SHARING_VIOLATION)
}
