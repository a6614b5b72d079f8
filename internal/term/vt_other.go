//go:build !windows

package term

import "os"

// EscapesWork reports whether f draws escape sequences: terminals here do.
func EscapesWork(*os.File) bool { return true }
