//go:build !linux

// Package testkeys lets a test that uses the kernel keyring leave
// nothing behind; there is no kernel keyring here, so it does nothing.
package testkeys

// Forget returns a function that does nothing: no kernel keyring here.
func Forget(...string) func() { return func() {} }

// Exists reports false: no kernel keyring here.
func Exists(string) bool { return false }
