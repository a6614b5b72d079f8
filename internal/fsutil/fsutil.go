// Package fsutil writes authwrap's files the one safe way: private
// directories (0700) and whole-file replacement (0600, write then rename).
package fsutil

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// PrivateDir creates dir with mode 0700, and tightens it if it exists
// with wider permissions.
func PrivateDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return os.Chmod(dir, 0o700)
	}
	return nil
}

// WriteAtomic writes data to a temporary file beside path (0600; the
// directory is created 0700 if missing) and renames it over path, so a
// crash or a full disk leaves the old file whole.
func WriteAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		if err := PrivateDir(dir); err != nil {
			return err
		}
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
