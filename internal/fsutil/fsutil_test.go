package fsutil

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func mode(t *testing.T, p string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode() & (os.ModePerm | os.ModeSticky)
}

// TestPrivateDir: created 0700; an existing directory is never chmod-ed:
// one others may write (a shared sticky directory, 0777) is refused with
// its path and mode, one only its owner writes is used as it is; and one
// that belongs to another user is refused, also through a symlink.
func TestPrivateDir(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no uids or modes here")
	}
	base := t.TempDir()
	dir := filepath.Join(base, "a", "b")
	if err := PrivateDir(dir); err != nil {
		t.Fatal(err)
	}
	if m := mode(t, dir); m != 0o700 {
		t.Errorf("created with %v, want 0700", m)
	}
	for _, m := range []os.FileMode{0o777, 0o770, 0o1777 | os.ModeSticky} {
		shared := filepath.Join(base, "shared")
		_ = os.Remove(shared)
		if err := os.Mkdir(shared, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(shared, m); err != nil {
			t.Fatal(err)
		}
		before := mode(t, shared)
		err := PrivateDir(shared)
		if !errors.Is(err, ErrUntrusted) || !strings.Contains(err.Error(), shared) {
			t.Errorf("mode %v: err = %v, want ErrUntrusted naming the path", before, err)
		}
		if after := mode(t, shared); after != before {
			t.Errorf("a directory authwrap did not create was changed from %v to %v", before, after)
		}
	}
	mine := filepath.Join(base, "mine")
	if err := os.Mkdir(mine, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := PrivateDir(mine); err != nil {
		t.Errorf("a 0755 directory of this user's: %v", err)
	}
	if m := mode(t, mine); m != 0o755 {
		t.Errorf("an existing directory was changed to %v", m)
	}
	if os.Getuid() != 0 {
		t.Skip("giving a directory to another user needs root")
	}
	theirs := filepath.Join(base, "theirs")
	if err := os.Mkdir(theirs, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(theirs, 4243, 4243); err != nil {
		t.Fatal(err)
	}
	err := PrivateDir(theirs)
	if err == nil || !strings.Contains(err.Error(), "belongs to another user (uid 4243)") {
		t.Errorf("PrivateDir on another user's directory: %v", err)
	}
	link := filepath.Join(base, "link")
	if err := os.Symlink(theirs, link); err != nil {
		t.Fatal(err)
	}
	if err := PrivateDir(filepath.Join(link)); err == nil || !strings.Contains(err.Error(), "uid 4243") {
		t.Errorf("PrivateDir through a symlink to another user's directory: %v", err)
	}
}

// TestCheckTrusted: a file that decides where tokens go is refused when
// someone else could have written it: another owner, group or world
// write, a directory above it of another user, a symlink into such a
// directory; it is taken when it is this user's (or root's) alone.
func TestCheckTrusted(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no uids or modes here")
	}
	base := t.TempDir()
	write := func(p string, m os.FileMode) string {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x"), m); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, m); err != nil {
			t.Fatal(err)
		}
		return p
	}
	if err := CheckTrusted(write(filepath.Join(base, "ok", "config.toml"), 0o600)); err != nil {
		t.Errorf("a private file: %v", err)
	}
	if err := CheckTrusted(write(filepath.Join(base, "ok", "readable.toml"), 0o644)); err != nil {
		t.Errorf("a 0644 file of this user's: %v", err)
	}
	for _, m := range []os.FileMode{0o666, 0o620, 0o602} {
		p := write(filepath.Join(base, "w", "config.toml"), m)
		if err := CheckTrusted(p); !errors.Is(err, ErrUntrusted) || !strings.Contains(err.Error(), "chmod go-w") {
			t.Errorf("mode %04o: err = %v, want ErrUntrusted with the fix", m, err)
		}
	}
	if err := CheckTrusted(filepath.Join(base, "missing.toml")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	open := filepath.Join(base, "open")
	write(filepath.Join(open, "config.toml"), 0o600)
	if err := os.Chmod(open, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := CheckTrusted(filepath.Join(open, "config.toml")); !errors.Is(err, ErrUntrusted) {
		t.Errorf("a file in a directory anyone may write: %v", err)
	}
	if os.Getuid() != 0 {
		t.Skip("files of another user need root")
	}
	theirs := write(filepath.Join(base, "theirs", "config.toml"), 0o600)
	if err := os.Chown(theirs, 4243, 4243); err != nil {
		t.Fatal(err)
	}
	if err := CheckTrusted(theirs); !errors.Is(err, ErrUntrusted) || !strings.Contains(err.Error(), "uid 4243") {
		t.Errorf("another user's file: %v", err)
	}
	// A config directory that is a symlink to a directory another user
	// made in a sticky /tmp-like directory: the real path is checked.
	sticky := filepath.Join(base, "sticky")
	if err := os.Mkdir(sticky, 0o777); err != nil {
		t.Fatal(err)
	}
	_ = os.Chmod(sticky, 0o1777|os.ModeSticky)
	squat := filepath.Join(sticky, "authwrap")
	write(filepath.Join(squat, "config.toml"), 0o600)
	if err := os.Chown(squat, 4243, 4243); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(base, "cfglink")
	if err := os.Symlink(squat, link); err != nil {
		t.Fatal(err)
	}
	if err := CheckTrusted(filepath.Join(link, "config.toml")); !errors.Is(err, ErrUntrusted) || !strings.Contains(err.Error(), "uid 4243") {
		t.Errorf("a config reached through a symlink into another user's directory: %v", err)
	}
}

// BenchmarkConfigRead: reading a config file as the hot path does, with
// the trust check (ReadTrusted: walk, open once, fstat) against the plain read alone,
// side by side in one run. The config sits five directories deep.
func BenchmarkConfigRead(b *testing.B) {
	dir := filepath.Join(b.TempDir(), "home", "user", ".config", "authwrap")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(path, []byte("[profiles.default]\nhosts = [\"git.example.com\"]\n"), 0o600); err != nil {
		b.Fatal(err)
	}
	b.Run("read", func(b *testing.B) {
		for b.Loop() {
			if _, err := os.ReadFile(path); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ReadTrusted", func(b *testing.B) {
		for b.Loop() {
			if _, err := ReadTrusted(path); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// SyncFile flushes a file it may write without changing it (on Windows a
// read-only handle cannot be flushed: "Access denied"); WriteAtomic and
// Replace leave the new contents in place, 0600.
func TestSyncAndReplace(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	if err := os.WriteFile(p, []byte("kept"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := SyncFile(p); err != nil {
		t.Fatalf("SyncFile: %v", err)
	}
	if b, _ := os.ReadFile(p); string(b) != "kept" {
		t.Errorf("SyncFile changed the file: %q", b)
	}
	if err := WriteAtomic(p, []byte("new")); err != nil {
		t.Fatal(err)
	}
	staged := filepath.Join(dir, "staged")
	if err := os.WriteFile(staged, []byte("newer"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := SyncFile(staged); err != nil {
		t.Fatal(err)
	}
	if err := Replace(staged, p); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); string(b) != "newer" {
		t.Errorf("after Replace: %q", b)
	}
	if _, err := os.Stat(staged); !os.IsNotExist(err) {
		t.Errorf("the staged file is still there: %v", err)
	}
}
