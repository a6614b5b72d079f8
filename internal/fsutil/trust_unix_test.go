//go:build unix

package fsutil

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// asRoot skips a test that makes files of other users.
func asRoot(t *testing.T) {
	t.Helper()
	if os.Getuid() != 0 {
		t.Skip("files of another user need root")
	}
}

// TestGroupWritableDirectories: a directory its group may write (a team
// directory, root:team 2775) lets any member swap the files in it, so a
// config, a CA file or a private directory in or under it is refused; the
// sticky bit (only an entry's owner may rename it) makes such a directory
// safe, as /tmp is.
func TestGroupWritableDirectories(t *testing.T) {
	base := t.TempDir()
	team := filepath.Join(base, "team")
	if err := os.MkdirAll(filepath.Join(team, "authwrap", "keyring"), 0o700); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(team, "authwrap", "config.toml")
	if err := os.WriteFile(cfg, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	private := filepath.Join(team, "authwrap", "keyring")
	for _, m := range []os.FileMode{0o770 | os.ModeSetgid, 0o775 | os.ModeSetgid, 0o720} {
		if err := os.Chmod(team, m); err != nil {
			t.Fatal(err)
		}
		if err := CheckTrusted(cfg); !errors.Is(err, ErrUntrusted) || !strings.Contains(err.Error(), team+" may be written by its group") {
			t.Errorf("mode %v: CheckTrusted: %v", m, err)
		}
		if data, err := ReadTrusted(cfg); !errors.Is(err, ErrUntrusted) || data != nil {
			t.Errorf("mode %v: ReadTrusted: %q, %v", m, data, err)
		}
		if err := PrivateDir(private); !errors.Is(err, ErrUntrusted) {
			t.Errorf("mode %v: PrivateDir below it: %v", m, err)
		}
		// A member of the group could also have made the directory a
		// private one names: refused as the last name too.
		if err := PrivateDir(team); !errors.Is(err, ErrUntrusted) {
			t.Errorf("mode %v: PrivateDir of it: %v", m, err)
		}
	}
	if err := os.Chmod(team, 0o1770|os.ModeSticky); err != nil {
		t.Fatal(err)
	}
	if data, err := ReadTrusted(cfg); err != nil || string(data) != "x" {
		t.Errorf("in a sticky group directory: %q, %v", data, err)
	}
	if err := PrivateDir(private); err != nil {
		t.Errorf("PrivateDir in a sticky group directory: %v", err)
	}
}

// TestOtherUsersLinks: a path that runs through a symbolic link another
// user owns is refused even where the link sits in a directory that is
// safe (a sticky one, or this user's own directory, where root put it),
// since its owner may point it elsewhere at any time; the same link
// owned by this user is followed.
func TestOtherUsersLinks(t *testing.T) {
	asRoot(t)
	base := t.TempDir()
	real := filepath.Join(base, "real")
	if err := os.Mkdir(real, 0o700); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(real, "config.toml")
	if err := os.WriteFile(cfg, []byte("mine"), 0o600); err != nil {
		t.Fatal(err)
	}
	sticky := filepath.Join(base, "sticky")
	if err := os.Mkdir(sticky, 0o777); err != nil {
		t.Fatal(err)
	}
	_ = os.Chmod(sticky, 0o1777|os.ModeSticky)
	for _, dir := range []string{sticky, base} {
		link := filepath.Join(dir, "link")
		_ = os.Remove(link)
		if err := os.Symlink(real, link); err != nil {
			t.Fatal(err)
		}
		if data, err := ReadTrusted(filepath.Join(link, "config.toml")); err != nil || string(data) != "mine" {
			t.Errorf("through this user's link in %s: %q, %v", dir, data, err)
		}
		if err := os.Lchown(link, 4243, 4243); err != nil {
			t.Fatal(err)
		}
		want := link + " belongs to another user (uid 4243)"
		if _, err := ReadTrusted(filepath.Join(link, "config.toml")); !errors.Is(err, ErrUntrusted) || !strings.Contains(err.Error(), want) {
			t.Errorf("through another user's link in %s: %v", dir, err)
		}
		if err := PrivateDir(link); !errors.Is(err, ErrUntrusted) || !strings.Contains(err.Error(), want) {
			t.Errorf("PrivateDir through another user's link in %s: %v", dir, err)
		}
		// The file itself a link of theirs, to a file of this user's.
		flink := filepath.Join(dir, "flink")
		_ = os.Remove(flink)
		if err := os.Symlink(cfg, flink); err != nil {
			t.Fatal(err)
		}
		_ = os.Lchown(flink, 4243, 4243)
		if _, err := ReadTrusted(flink); !errors.Is(err, ErrUntrusted) {
			t.Errorf("a file that is another user's link in %s: %v", dir, err)
		}
	}
}

// TestCheckTrustedDirSticky: a directory of CA certificates is trusted for
// the set of files in it, which the sticky bit does not protect (others
// may still add files): a sticky, world-writable one is refused, a
// private one is not.
func TestCheckTrustedDirSticky(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "certs")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := CheckTrustedDir(dir); err != nil {
		t.Errorf("a 0755 directory of this user's: %v", err)
	}
	if err := os.Chmod(dir, 0o1777|os.ModeSticky); err != nil {
		t.Fatal(err)
	}
	if err := CheckTrustedDir(dir); !errors.Is(err, ErrUntrusted) {
		t.Errorf("a sticky directory anyone may add to: %v", err)
	}
}
