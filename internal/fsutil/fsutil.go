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

// ErrUntrusted marks a file or directory that another user could have
// written or could replace, which authwrap refuses to use.
var ErrUntrusted = errors.New("not safe to use")

// PrivateDir makes sure dir is a directory only this user controls. One
// it creates (with its missing parents) gets mode 0700. One that already
// exists is never changed: it is refused, with its path and the reason,
// when another user owns it, when others may write in it (a shared
// directory, even with the sticky bit), or when it sits in a directory
// another user controls (OpenSSH checks key paths the same way).
// Symbolic links are resolved first and the real path is checked.
func PrivateDir(dir string) error {
	_, err := os.Lstat(dir)
	created := errors.Is(err, fs.ErrNotExist)
	if created {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return err
		}
		// The umask may have taken bits away (never added any).
		if err := os.Chmod(dir, 0o700); err != nil {
			return err
		}
	}
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return err
	}
	fi, err := os.Lstat(real)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("%w: %s is not a directory", ErrUntrusted, dir)
	}
	if owner, ok := ownerOf(fi); ok && fi.Mode().Perm()&0o022 != 0 {
		return fmt.Errorf("%w: %s (really %s) may be written by other users (mode %v, owner uid %d); authwrap keeps its files only in a directory of its own: point it elsewhere, or `chmod go-w` it if it is yours alone",
			ErrUntrusted, dir, real, octal(fi), owner)
	}
	return checkOwners(real)
}

// CheckTrusted refuses a file whose contents decide where a token goes
// (the configuration, a CA bundle) when another user could have written
// it, as OpenSSH refuses such a config: it must be a regular file owned
// by this user or root that no one else may write, and no directory above
// it (after resolving symbolic links) may belong to another user or be
// writable by others without the sticky bit. A missing file is
// fs.ErrNotExist.
func CheckTrusted(path string) error {
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return err
	}
	fi, err := os.Lstat(real)
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%w: %s is not a regular file", ErrUntrusted, path)
	}
	// The file's owner and every directory above it, as for a private
	// directory; then the file's own mode, which only its owner can fix.
	if err := checkOwners(real); err != nil {
		return err
	}
	if _, ok := ownerOf(fi); ok && fi.Mode().Perm()&0o022 != 0 {
		return fmt.Errorf("%w: %s may be written by other users (mode %s): run `chmod go-w %s`", ErrUntrusted, path, octal(fi), path)
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
// the directory, so that the rename survives a crash. On Windows it waits
// (Retry) while another process has path open. The file must be
// synced first (WriteAtomic does; SyncFile for a file written by others).
func Replace(tmp, path string) error {
	if err := Retry(func() error { return os.Rename(tmp, path) }); err != nil {
		return err
	}
	syncDir(filepath.Dir(path))
	return nil
}

// syncDir flushes a directory's entries, where the system allows it (not
// Windows, which has no handle for it): best effort.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

// SyncFile flushes a regular file to disk.
func SyncFile(path string) error {
	// Opened for writing: Windows flushes only a handle that may write
	// ("Access denied" otherwise); it is not truncated.
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// octal shows a file's mode as chmod takes it: 0700, 1777.
func octal(fi os.FileInfo) string {
	m := uint32(fi.Mode().Perm())
	if fi.Mode()&os.ModeSticky != 0 {
		m |= 0o1000
	}
	return fmt.Sprintf("%04o", m)
}

// checkOwners walks from dir (a directory or a file), a path with no
// symbolic links in it, up to the home directory (when dir is in it;
// else up to the root, as OpenSSH's safe_path does) and fails on a path
// another user owns, or a directory anyone may write without the sticky
// bit (a file's own mode is its caller's to judge).
func checkOwners(dir string) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	home, _ := os.UserHomeDir()
	if h, err := filepath.EvalSymlinks(home); err == nil {
		home = h
	}
	me := os.Getuid()
	for p := abs; ; p = filepath.Dir(p) {
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		owner, ok := ownerOf(fi)
		if !ok {
			return nil // no uids here
		}
		switch {
		case owner != me && owner != 0:
			return fmt.Errorf("%w: %s belongs to another user (uid %d), not to this one (uid %d); authwrap keeps and reads its files only where no one else can replace them", ErrUntrusted, p, owner, me)
		case fi.IsDir() && fi.Mode().Perm()&0o002 != 0 && fi.Mode()&os.ModeSticky == 0:
			return fmt.Errorf("%w: %s may be written by anyone (mode %s, no sticky bit); authwrap keeps and reads its files only where no one else can replace them", ErrUntrusted, p, octal(fi))
		}
		if filepath.Dir(p) == p || p == filepath.Clean(home) {
			return nil
		}
	}
}
