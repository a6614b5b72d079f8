package helper

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestFileDirRelative: a relative AUTHWRAP_FILE_DIR (~ included, which
// nothing expands) is refused as ErrFileDirRelative before anything is
// made, whatever the backend; another App reads its own (MYCLI_FILE_DIR).
// fileDirVar is authwrap's AUTHWRAP_FILE_DIR.
const fileDirVar = "AUTHWRAP_FILE_DIR"

func TestFileDirRelative(t *testing.T) {
	t.Chdir(t.TempDir())
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	pass := func(string) (string, error) { return "pw", nil }
	for _, d := range []string{"keys", "~/keys", "./keys"} {
		t.Setenv(fileDirVar, d)
		for _, b := range []string{"file", ""} {
			if _, err := OpenStore(StoreOptions{App: "authwrap", Backend: b, Passphrase: pass}); !errors.Is(err, ErrFileDirRelative) {
				t.Errorf("%s=%s, backend %q: OpenStore = %v, want ErrFileDirRelative", fileDirVar, d, b, err)
			}
		}
		if entries, _ := os.ReadDir("."); len(entries) != 0 {
			t.Errorf("%s=%s: OpenStore made %v in the working directory", fileDirVar, d, entries[0].Name())
		}
		if _, err := OpenStore(StoreOptions{App: "mycli", Backend: "file", Passphrase: pass}); err != nil {
			t.Errorf("another app with %s=%s: %v", fileDirVar, d, err)
		}
	}
	abs := filepath.Join(t.TempDir(), "keys")
	t.Setenv(fileDirVar, abs)
	if _, err := OpenStore(StoreOptions{App: "authwrap", Backend: "file", Passphrase: pass}); err != nil {
		t.Fatalf("%s=%s: %v", fileDirVar, abs, err)
	}
	if _, err := os.Stat(abs); err != nil {
		t.Errorf("the absolute directory was not used: %v", err)
	}
}
