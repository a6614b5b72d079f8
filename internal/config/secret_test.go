package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestClientSecretNeverInTheFile: a client secret is refused as a setting
// and in the file itself, with the ways it may be given instead; the
// file's client_secret_file is read back, and must be absolute.
func TestClientSecretNeverInTheFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.toml")
	if _, err := Set(path, "ci", "client_secret", "sk_live_x"); !errors.Is(err, ErrSecretSetting) {
		t.Fatalf("config set client_secret: err = %v, want ErrSecretSetting", err)
	}
	if _, err := os.Stat(path); err == nil {
		t.Fatal("config set client_secret wrote the file")
	}
	if _, err := Set(path, "ci", "client_secret_file", "secret.txt"); err == nil || !strings.Contains(err.Error(), "absolute") {
		t.Fatalf("a relative client_secret_file: err = %v", err)
	}
	want := filepath.Join(dir, "secret")
	if _, err := Set(path, "ci", "client_secret_file", want); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, _, _ := cfg.Get("ci", "client_secret_file"); got != want || cfg.Profiles["ci"].ClientSecretFile != want {
		t.Fatalf("client_secret_file = %q, want %q", got, want)
	}
	if err := os.WriteFile(path, []byte("[profiles.ci]\nclient_id = \"c\"\nclient_secret = \"sk_live_x\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = Load(path)
	if !errors.Is(err, ErrConfig) || !errors.Is(err, ErrSecretSetting) || strings.Contains(err.Error(), "sk_live_x") {
		t.Fatalf("a file with client_secret: err = %v, want ErrConfig and ErrSecretSetting, without the value", err)
	}
}
