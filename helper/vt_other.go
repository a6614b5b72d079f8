//go:build !windows

package helper

import "os"

// escapesWork reports whether f draws escape sequences: terminals here do.
func escapesWork(*os.File) bool { return true }
