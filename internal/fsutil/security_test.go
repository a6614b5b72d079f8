package fsutil

import (
	"os"
	"path/filepath"
	"testing"
)

// TestCheckSecurityAcceptsOwnFiles holds that what authwrap makes passes
// its own check, by name and through an open handle: on Windows a file
// and a directory inherit their access list from the user's profile
// (SYSTEM, Administrators and the user); elsewhere checkSecurity judges
// nothing (the uid and the mode are judged instead).
func TestCheckSecurityAcceptsOwnFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "authwrap")
	if err := PrivateDir(dir); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "config.toml")
	if err := WriteAtomic(file, []byte("x")); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{dir, file} {
		if err := checkSecurity(path, nil); err != nil {
			t.Errorf("by name: %v", err)
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := checkSecurity(path, f); err != nil {
			t.Errorf("by handle: %v", err)
		}
		f.Close()
	}
}
