// Package fsutil writes authwrap's files the one safe way: private
// directories (0700) and whole-file replacement (0600, write then rename).
package fsutil

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
)

// ErrUntrusted marks a file or directory that another user could have
// written or could replace, which authwrap refuses to use.
var ErrUntrusted = errors.New("not safe to use")

// PrivateDir makes sure dir is a directory only this user controls. One
// it creates (with its missing parents) gets mode 0700. One that already
// exists is never changed: it is refused, with its path and the reason,
// when another user owns it, when others (its group included) may write
// in it, even with the sticky bit, or when the path to it is one another
// user could change: a directory or symbolic link on the way that belongs
// to another user, or a directory its group or others may write without
// the sticky bit (OpenSSH checks key paths the same way). The path is
// walked one name at a time, so it means the same thing to every later
// use of the unresolved name (the keyring library's, the lock's).
func PrivateDir(dir string) error {
	_, err := os.Lstat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return err
		}
		// The umask may have taken bits away (never added any).
		if err := os.Chmod(dir, 0o700); err != nil {
			return err
		}
	}
	real, fi, err := walkTrusted(dir)
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
	return checkSecurity(real, nil)
}

// CheckTrusted refuses a file whose contents decide where a token goes
// (the configuration, a CA bundle) when another user could have written
// it or could change which file the path names, as OpenSSH refuses such a
// config: it must be a regular file owned by this user or root that no
// one else may write, and every directory and symbolic link on the way to
// it must be safe as for PrivateDir (walked one name at a time). A
// missing file is fs.ErrNotExist. To read such a file, use ReadTrusted,
// which checks the file it opened rather than the name.
func CheckTrusted(path string) error {
	real, fi, err := walkTrusted(path)
	if err != nil {
		return err
	}
	if err := judgeFile(path, fi); err != nil {
		return err
	}
	return checkSecurity(real, nil)
}

// ReadTrusted reads a file whose contents decide where a token goes,
// under the rules of CheckTrusted, opening it once: the path is walked
// and checked, the file it leads to is opened without following a final
// symbolic link, the descriptor itself is judged (owner, mode, a regular
// file) and compared with what the walk saw (device and inode), and the
// contents are read from it. Swapping the file or a link between the
// check and the read gets an error, never the other file's contents.
func ReadTrusted(path string) ([]byte, error) { return readTrusted(path, false) }

// readTrusted is ReadTrusted; with secret set it also refuses, on the
// descriptor and before reading, a file others may read (ReadPrivate).
func readTrusted(path string, secret bool) ([]byte, error) {
	real, fi, err := walkTrusted(path)
	if err != nil {
		return nil, err
	}
	if err := judgeFile(path, fi); err != nil {
		return nil, err
	}
	f, err := openNoFollow(real)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	ofi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !os.SameFile(fi, ofi) {
		return nil, fmt.Errorf("%w: %s changed while it was being checked", ErrUntrusted, path)
	}
	if err := judgeFile(path, ofi); err != nil {
		return nil, err
	}
	if err := checkSecurity(real, f); err != nil {
		return nil, err
	}
	if secret {
		if _, ok := ownerOf(ofi); ok && ofi.Mode().Perm()&0o044 != 0 {
			return nil, fmt.Errorf("%w: %s may be read by other users (mode %s): run `chmod 600 %s`", ErrUntrusted, path, octal(ofi), path)
		}
		// Windows: the access list must let no one else read it.
		if err := checkPrivateSecurity(real, f); err != nil {
			return nil, err
		}
	}
	data, err := io.ReadAll(io.LimitReader(f, maxTrustedSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxTrustedSize {
		return nil, fmt.Errorf("%s is larger than %d MiB", path, maxTrustedSize>>20)
	}
	return data, nil
}

// CheckTrustedDir refuses a directory whose files decide where a token
// goes (a directory of CA certificates) when another user could add to it
// or change which directory the path names: it and the path to it must be
// safe as for PrivateDir's walk, and it must not be writable by its group
// or others unless it has the sticky bit. Unlike PrivateDir, others may
// read it, and it is never created.
func CheckTrustedDir(dir string) error {
	real, fi, err := walkTrusted(dir)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("%w: %s is not a directory", ErrUntrusted, dir)
	}
	// Trusted for the set of files in it: the sticky bit stops others
	// replacing entries, not adding them, so it is no excuse here.
	if owner, ok := ownerOf(fi); ok && fi.Mode().Perm()&0o022 != 0 {
		return fmt.Errorf("%w: %s may be written by others (mode %s, owner uid %d), who could add files to it", ErrUntrusted, dir, octal(fi), owner)
	}
	home, _ := os.UserHomeDir()
	if err := judgeStep(real, fi, home); err != nil {
		return err
	}
	return checkSecurity(real, nil)
}

// maxTrustedSize bounds what ReadTrusted reads: a CA bundle of every
// public root is well under a megabyte.
const maxTrustedSize = 16 << 20

// judgeFile checks a file's own owner, type and mode.
func judgeFile(path string, fi os.FileInfo) error {
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%w: %s is not a regular file", ErrUntrusted, path)
	}
	owner, ok := ownerOf(fi)
	if !ok {
		return nil
	}
	if me := os.Getuid(); owner != me && owner != 0 {
		return fmt.Errorf("%w: %s belongs to another user (uid %d), not to this one (uid %d); authwrap reads such files only from their owner or root", ErrUntrusted, path, owner, me)
	}
	if fi.Mode().Perm()&0o022 != 0 {
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

// maxLinks bounds the symbolic links one walk follows, as the kernel's
// ELOOP does.
const maxLinks = 40

// walkTrusted resolves path one name at a time, as the kernel does, and
// checks each directory and symbolic link it passes through that is not
// above the home directory: it must belong to this user or root, and a
// directory must not be writable by its group or others unless it has
// the sticky bit (in a sticky directory only an entry's owner may rename
// or remove it, so another user cannot swap this user's entries). It
// returns the resolved path (no symbolic links in it) and what it names,
// not yet judged (the caller judges a file or a directory as it must).
func walkTrusted(path string) (string, os.FileInfo, error) {
	if path == "" {
		return "", nil, fs.ErrNotExist
	}
	if !filepath.IsAbs(path) {
		wd, err := os.Getwd()
		if err != nil {
			return "", nil, err
		}
		// Not filepath.Join: ".." after a symbolic link is the link
		// target's parent, which the walk below resolves.
		path = wd + string(filepath.Separator) + path
	}
	home, _ := os.UserHomeDir()
	if h, err := filepath.EvalSymlinks(home); err == nil {
		home = h
	}
	vol := filepath.VolumeName(path)
	todo := splitPath(path[len(vol):])
	root := vol + string(filepath.Separator)
	cur := root
	fi, err := os.Lstat(cur)
	if err != nil {
		return "", nil, err
	}
	if err := judgeStep(cur, fi, home); err != nil {
		return "", nil, err
	}
	links := 0
	for len(todo) > 0 {
		name := todo[0]
		todo = todo[1:]
		switch name {
		case "", ".":
			continue
		case "..":
			cur = filepath.Dir(cur)
			if fi, err = os.Lstat(cur); err != nil {
				return "", nil, err
			}
			continue
		}
		next := filepath.Join(cur, name)
		if fi, err = os.Lstat(next); err != nil {
			return "", nil, err
		}
		if err := judgeStep(next, fi, home); err != nil {
			return "", nil, err
		}
		if fi.Mode()&os.ModeSymlink == 0 {
			if len(todo) > 0 && !fi.IsDir() {
				return "", nil, fmt.Errorf("%s: %w", next, syscall.ENOTDIR)
			}
			cur = next
			continue
		}
		if links++; links > maxLinks {
			return "", nil, fmt.Errorf("%s: too many levels of symbolic links", path)
		}
		target, err := os.Readlink(next)
		if err != nil {
			return "", nil, err
		}
		if filepath.IsAbs(target) {
			v := filepath.VolumeName(target)
			cur = v + string(filepath.Separator)
			target = target[len(v):]
		}
		todo = append(splitPath(target), todo...)
		if fi, err = os.Lstat(cur); err != nil {
			return "", nil, err
		}
	}
	return cur, fi, nil
}

// aboveHome reports whether p is a directory above home (not home
// itself); on Windows names are compared without regard to case.
func aboveHome(p, home string) bool {
	if home == "" {
		return false
	}
	prefix := strings.TrimSuffix(p, string(filepath.Separator)) + string(filepath.Separator)
	if runtime.GOOS == "windows" {
		p, home, prefix = strings.ToLower(p), strings.ToLower(home), strings.ToLower(prefix)
	}
	return p != home && strings.HasPrefix(home, prefix)
}

// splitPath splits a path at its separators (either kind on Windows).
func splitPath(p string) []string {
	return strings.FieldsFunc(p, func(r rune) bool { return os.IsPathSeparator(uint8(r)) && r < 0x80 })
}

// judgeStep checks one directory or symbolic link of a walked path.
// Directories above the home directory (when the path is in it) are
// not judged, as OpenSSH's safe_path stops at home: /home and its kind
// are the system's.
func judgeStep(p string, fi os.FileInfo, home string) error {
	if aboveHome(p, home) {
		return nil
	}
	owner, ok := ownerOf(fi)
	if !ok {
		// Windows: the access list, for directories below the drive's
		// root (C:\ lets every signed-in user create folders, yet no one
		// rename another's); the file itself is judged by its caller.
		if fi.IsDir() && filepath.Dir(p) != p {
			return checkSecurity(p, nil)
		}
		return nil
	}
	me := os.Getuid()
	switch {
	case owner != me && owner != 0:
		what := "a directory"
		if fi.Mode()&os.ModeSymlink != 0 {
			what = "a symbolic link"
		} else if !fi.IsDir() {
			what = "a file"
		}
		return fmt.Errorf("%w: %s belongs to another user (uid %d), not to this one (uid %d); it is %s on the way, and authwrap keeps and reads its files only where no one else can replace them", ErrUntrusted, p, owner, me, what)
	case fi.IsDir() && fi.Mode().Perm()&0o022 != 0 && fi.Mode()&os.ModeSticky == 0:
		who := "its group"
		if fi.Mode().Perm()&0o002 != 0 {
			who = "anyone"
		}
		return fmt.Errorf("%w: %s may be written by %s (mode %s, no sticky bit), so files in it can be swapped; authwrap keeps and reads its files only where no one else can replace them: `chmod go-w %s` if it is yours alone", ErrUntrusted, p, who, octal(fi), p)
	}
	return nil
}

// ReadPrivate reads a file that holds a secret (a client secret): as
// ReadTrusted, and it also refuses one that its group or other users may
// read, where the system keeps such modes.
func ReadPrivate(path string) ([]byte, error) { return readTrusted(path, true) }
