package fsutil

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestPrivateDir: created 0700, tightened when wider, and refused when
// another user owns it (as someone could arrange under a shared /tmp).
func TestPrivateDir(t *testing.T) {
	base := t.TempDir()
	dir := filepath.Join(base, "a", "b")
	if err := PrivateDir(dir); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(dir); fi.Mode().Perm() != 0o700 {
		t.Errorf("created with %v, want 0700", fi.Mode().Perm())
	}
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := PrivateDir(dir); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(dir); fi.Mode().Perm() != 0o700 {
		t.Errorf("not tightened: %v, want 0700", fi.Mode().Perm())
	}
	if runtime.GOOS == "windows" || os.Getuid() != 0 {
		t.Skip("giving a directory to another user needs root")
	}
	theirs := filepath.Join(base, "theirs")
	if err := os.Mkdir(theirs, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(theirs, 4243, 4243); err != nil {
		t.Fatal(err)
	}
	err := PrivateDir(theirs)
	if err == nil || !strings.Contains(err.Error(), "belongs to another user (uid 4243)") {
		t.Errorf("PrivateDir on another user's directory: %v", err)
	}
}
