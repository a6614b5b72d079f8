// Package fsutil writes authwrap's files the one safe way: private
// directories (0700) and whole-file replacement (0600, write then rename).
package fsutil

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// PrivateDir creates dir with mode 0700, and tightens it if it exists
// with wider permissions. It refuses a directory that another user could
// swap or empty: one that belongs to another user, or that sits in such
// a directory (OpenSSH checks key paths the same way), or in one anyone
// may write in without the sticky bit that /tmp has. Directories of root
// are trusted otherwise; the directory itself is tightened to 0700.
func PrivateDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	if err := checkOwners(dir); err != nil {
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
// directory is created 0700 if missing), flushes it to disk and renames it
// over path, so a crash or a full disk leaves the old file whole.
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
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return Replace(f.Name(), path)
}

// Replace renames a complete, already written file over path and flushes
// the directory, so that the rename survives a crash. The file must be
// synced first (WriteAtomic does; SyncFile for a file written by others).
func Replace(tmp, path string) error {
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	// Best effort: not every system lets a directory be synced.
	_ = SyncFile(filepath.Dir(path))
	return nil
}

// SyncFile flushes a file or directory to disk.
func SyncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// checkOwners walks from dir up to the home directory (when dir is in
// it; else up to the root, as OpenSSH's safe_path does) and fails on a
// directory another user controls.
func checkOwners(dir string) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	home, _ := os.UserHomeDir()
	me := os.Getuid()
	for p := abs; ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err != nil {
			return err
		}
		owner, ok := ownerOf(fi)
		if !ok {
			return nil // no uids here
		}
		switch {
		case owner != me && owner != 0:
			return fmt.Errorf("%s belongs to another user (uid %d), not to this one (uid %d); authwrap keeps its files only where no one else can replace them", p, owner, me)
		case p != abs && fi.Mode().Perm()&0o002 != 0 && fi.Mode()&os.ModeSticky == 0:
			return fmt.Errorf("%s may be written by anyone (mode %v, no sticky bit); authwrap keeps its files only where no one else can replace them", p, fi.Mode().Perm())
		}
		if filepath.Dir(p) == p || p == filepath.Clean(home) {
			return nil
		}
	}
}
