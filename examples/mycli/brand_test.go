package main

import (
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/99designs/keyring"

	"github.com/authwrap/authwrap/flow/authkittest"
)

// TestMycliWearsItsOwnName: a program built on the library (this one,
// named mycli) signs in, refreshes, meets a wrong passphrase and a session
// the server ended, and nothing it prints, no file it writes (names and
// contents), no keyring item (key, label, description, data) and no
// variable it reads names authwrap: authwrap's own variables, set around
// it, change nothing.
func TestMycliWearsItsOwnName(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the file keyring's directory is checked by its Unix name here")
	}
	bin := filepath.Join(t.TempDir(), "mycli")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	srv := authkittest.NewServer(authkittest.Config{ClientID: "client_mycli_dev", Interval: time.Second, AutoApprove: time.Millisecond, AccessTokenTTL: 2 * time.Second})
	defer srv.Close()
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer eyJ") {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		fmt.Fprintln(w, "hello")
	}))
	defer api.Close()
	home := t.TempDir()
	elsewhere := filepath.Join(t.TempDir(), "authwrap-dir")
	env := []string{"HOME=" + home, "PATH=" + os.Getenv("PATH"), "XDG_STATE_HOME=" + home + "/state",
		"XDG_DATA_HOME=" + home + "/data", "XDG_CONFIG_HOME=" + home + "/config",
		"MYCLI_CLIENT_ID=client_mycli_dev", "MYCLI_API_URL=" + srv.URL, "MYCLI_KEYRING_BACKEND=file",
		"MYCLI_FILE_PASSPHRASE=mine",
		// authwrap's own: a program named mycli must not read them.
		"AUTHWRAP_FILE_PASSPHRASE=not-mine", "AUTHWRAP_FILE_DIR=" + elsewhere, "AUTHWRAP_CLIENT_ID=client_other"}
	var outputs []string
	run := func(wantOK bool, extra []string, args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env = append(append([]string(nil), env...), extra...)
		out, err := cmd.CombinedOutput()
		outputs = append(outputs, string(out))
		if (err == nil) != wantOK {
			t.Fatalf("mycli %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	if out := run(true, nil, "login"); !strings.Contains(out, "mycli: your one-time code is") {
		t.Errorf("login's lines do not name mycli:\n%s", out)
	}
	run(true, nil, "get", api.URL)
	refreshes := srv.Requests(authkittest.Refresh)
	// Past the token's life (2 s, up to a second more from its
	// whole-second exp): the next get must refresh, however slow the
	// first one was (under the race detector it can refresh itself).
	time.Sleep(3 * time.Second)
	if out := run(true, nil, "get", api.URL); !strings.Contains(out, "hello") || srv.Requests(authkittest.Refresh) == refreshes {
		t.Errorf("get with a token of 2 s did not refresh: %s", out)
	}
	checkKeyring(t, filepath.Join(home, "data", "mycli", "keyring"))
	out := run(false, []string{"MYCLI_FILE_PASSPHRASE=wrong"}, "get", api.URL)
	if !strings.Contains(out, "mycli: hint: set MYCLI_FILE_PASSPHRASE") {
		t.Errorf("a wrong passphrase:\n%s", out)
	}
	srv.RevokeSessions()
	time.Sleep(2100 * time.Millisecond) // past the token's life: only a refresh could serve it
	out = run(false, nil, "get", api.URL)
	if !strings.Contains(out, "mycli: hint: run `mycli login`") {
		t.Errorf("a session the server ended:\n%s", out)
	}

	for i, o := range outputs {
		if strings.Contains(strings.ToLower(o), "authwrap") {
			t.Errorf("output %d names authwrap:\n%s", i, o)
		}
	}
	if _, err := os.Stat(elsewhere); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("AUTHWRAP_FILE_DIR was used: %v", err)
	}
	var files int
	_ = filepath.WalkDir(home, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.Contains(strings.ToLower(p), "authwrap") {
			t.Errorf("a path names authwrap: %s", p)
		}
		if !d.IsDir() {
			files++
			if b, _ := os.ReadFile(p); strings.Contains(strings.ToLower(string(b)), "authwrap") {
				t.Errorf("%s names authwrap", p)
			}
		}
		return nil
	})
	if files == 0 {
		t.Fatal("mycli wrote no files under its home")
	}
}

// checkKeyring opens the file keyring in dir and fails on an item that
// names authwrap (key, label, description or data).
func checkKeyring(t *testing.T, dir string) {
	t.Helper()
	// The keyring's items, decrypted.
	ring, err := keyring.Open(keyring.Config{AllowedBackends: []keyring.BackendType{keyring.FileBackend},
		FileDir: dir, FilePasswordFunc: keyring.FixedStringPrompt("mine")})
	if err != nil {
		t.Fatal(err)
	}
	keys, _ := ring.Keys()
	if len(keys) == 0 {
		t.Fatal("no keyring item")
	}
	for _, k := range keys {
		it, err := ring.Get(k)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{it.Key, it.Label, it.Description, string(it.Data)} {
			if strings.Contains(strings.ToLower(s), "authwrap") {
				t.Errorf("keyring item %s names authwrap: %.80q", k, s)
			}
		}
	}
}
