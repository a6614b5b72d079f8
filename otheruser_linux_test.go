package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// otherUserRoot prepares a test that runs programs as a uid of its own
// (setpriv): it skips without root or setpriv, and returns a directory
// everyone may read (removed at the end) holding copies of the test
// binary under names (authwrap, and the test commands the test runs), and
// a home directory in it owned by uid, mode 0700. Each test passes its own
// uid, so parallel tests do not share a kernel key quota.
func otherUserRoot(t *testing.T, uid int, prefix string, names ...string) (root, home string) {
	t.Helper()
	if os.Getuid() != 0 {
		t.Skip("needs root, to run authwrap as an unprivileged user")
	}
	if _, err := exec.LookPath("setpriv"); err != nil {
		t.Skip("needs setpriv (util-linux)")
	}
	root, err := os.MkdirTemp("", prefix)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(root) })
	if err := os.Chmod(root, 0o755); err != nil {
		t.Fatal(err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		if err := copyFile(self, filepath.Join(root, name), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	home = filepath.Join(root, "home")
	if err := os.Mkdir(home, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(home, uid, uid); err != nil {
		t.Fatal(err)
	}
	return root, home
}
