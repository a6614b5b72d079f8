package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/authwrap/authwrap/helper"
)

func TestResolve(t *testing.T) {
	cfg := &Config{DefaultProfile: "work", Profiles: map[string]*Entry{
		"work": {Profile: helper.Profile{Name: "work", ClientID: "client_w", APIURL: "https://api.workos.com"}},
		"std":  {Profile: helper.Profile{Name: "std", ClientID: "client_s", Issuer: "https://auth.example.com"}},
	}}
	cases := []struct {
		name     string
		profile  string
		override helper.Profile
		want     helper.Profile
		err      string
	}{
		{"default profile from config", "", helper.Profile{}, helper.Profile{Name: "work", ClientID: "client_w", APIURL: "https://api.workos.com"}, ""},
		{"client override", "work", helper.Profile{ClientID: "client_x"}, helper.Profile{Name: "work", ClientID: "client_x", APIURL: "https://api.workos.com"}, ""},
		{"issuer override switches flavour", "work", helper.Profile{Issuer: "https://id.example.com"},
			helper.Profile{Name: "work", ClientID: "client_w", Issuer: "https://id.example.com", Scopes: helper.DefaultScopes}, ""},
		{"standard gets default scopes", "std", helper.Profile{}, helper.Profile{Name: "std", ClientID: "client_s", Issuer: "https://auth.example.com", Scopes: helper.DefaultScopes}, ""},
		{"scopes override", "std", helper.Profile{Scopes: []string{"openid"}}, helper.Profile{Name: "std", ClientID: "client_s", Issuer: "https://auth.example.com", Scopes: []string{"openid"}}, ""},
		{"unknown profile", "nope", helper.Profile{}, helper.Profile{}, `no profile "nope"`},
		{"unknown profile made by env", "nope", helper.Profile{ClientID: "c"}, helper.Profile{Name: "nope", ClientID: "c"}, ""},
		{"insecure", "work", helper.Profile{APIURL: "http://api.example.com"}, helper.Profile{}, "must use https"},
		{"bad name", "a/b", helper.Profile{}, helper.Profile{}, "bad profile name"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := cfg.Resolve(tc.profile, tc.override)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Name != tc.want.Name || got.ClientID != tc.want.ClientID || got.APIURL != tc.want.APIURL ||
				got.Issuer != tc.want.Issuer || strings.Join(got.Scopes, " ") != strings.Join(tc.want.Scopes, " ") {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestLoadConfigErrors(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"syntax":  "[profiles.a\nclient_id=1",
		"unknown": "[profiles.a]\nclient = \"x\"",
		"badname": "[profiles.\"../x\"]\nclient_id = \"x\"",
		"type":    "[profiles.a]\nclient_id = 3",
	} {
		p := filepath.Join(dir, name+".toml")
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := Load(p); !errors.Is(err, ErrConfig) {
			t.Errorf("%s: err = %v, want ErrConfig", name, err)
		}
	}
	if cfg, err := Load(filepath.Join(dir, "missing.toml")); err != nil || cfg == nil {
		t.Errorf("a missing file must be an empty config: %v", err)
	}
}

// FuzzLoad: any config file is loaded or refused with ErrConfig, never a
// crash; every profile loaded has a valid name.
func FuzzLoad(f *testing.F) {
	f.Add("default_profile = \"work\"\n[profiles.work]\nclient_id = \"c\"\nhosts = [\"git.example.com\"]\n")
	f.Add("[profiles.\"a b\"]\n")
	f.Add("[profiles.x]\nbearer = \"yes\"\n")
	f.Add("profiles = 3\n")
	f.Fuzz(func(t *testing.T, body string) {
		p := filepath.Join(t.TempDir(), "config.toml")
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		cfg, err := Load(p)
		if err != nil {
			if !errors.Is(err, ErrConfig) {
				t.Fatalf("error not ErrConfig: %v", err)
			}
			return
		}
		for name := range cfg.Profiles {
			if helper.CheckProfileName(name) != nil {
				t.Fatalf("loaded a profile with a bad name %q", name)
			}
		}
	})
}

// TestSetHostKeepsTheRest edits a hand-written file: comments, other
// settings and a multi-line hosts array.
func TestSetHostKeepsTheRest(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.toml")
	before := "# mine\n[profiles.work]\nclient_id = \"c\" # the app\nhosts = [\n  \"a.example.com\",\n  \"b.example.com\",\n]\nusername = \"oauth2\"\n\n[profiles.other]\nclient_id = \"d\"\n"
	if err := os.WriteFile(path, []byte(before), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := SetHost(path, "work", Settings{ClientID: "c"}, "c.example.com", false); err != nil {
		t.Fatal(err)
	}
	if _, err := SetHost(path, "work", Settings{}, "a.example.com", true); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	want := "# mine\n[profiles.work]\nclient_id = \"c\" # the app\nhosts = [\"b.example.com\", \"c.example.com\"]\nusername = \"oauth2\"\n\n[profiles.other]\nclient_id = \"d\"\n"
	if string(got) != want {
		t.Errorf("file after edits:\n%s\nwant:\n%s", got, want)
	}
	if changed, err := SetHost(path, "work", Settings{}, "c.example.com", false); err != nil || changed {
		t.Errorf("adding a host already there: changed=%v, %v", changed, err)
	}
	// Explicit settings replace the file's; an api_url replaces an issuer.
	if _, err := SetHost(path, "other", Settings{ClientID: "e", APIURL: "https://api.example.com"}, "d.example.com", false); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if o := cfg.Profiles["other"]; o.ClientID != "e" || o.APIURL != "https://api.example.com" || o.Issuer != "" || len(o.Hosts) != 1 {
		t.Errorf("other = %+v", o)
	}
	if _, err := SetHost(path, "other", Settings{Issuer: "https://issuer.example.com"}, "d.example.com", false); err != nil {
		t.Fatal(err)
	}
	cfg, _ = Load(path)
	if o := cfg.Profiles["other"]; o.Issuer != "https://issuer.example.com" || o.APIURL != "" || o.ClientID != "e" {
		t.Errorf("other after an issuer = %+v", o)
	}
	// A new profile with nothing explicit gets its hosts only.
	if _, err := SetHost(path, "new", Settings{}, "n.example.com", false); err != nil {
		t.Fatal(err)
	}
	cfg, _ = Load(path)
	if n := cfg.Profiles["new"]; n.ClientID != "" || n.APIURL != "" || len(n.Hosts) != 1 {
		t.Errorf("new = %+v", n)
	}
}

// A config saved with a byte order mark (Windows Notepad) loads, and an
// edit keeps the mark and the profile behind it.
func TestConfigWithByteOrderMark(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(path, []byte("\ufeff[profiles.work]\nclient_id = \"c\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(path)
	if err != nil || cfg.Profiles["work"] == nil || cfg.Profiles["work"].ClientID != "c" {
		t.Fatalf("Load: %+v, %v", cfg, err)
	}
	if _, err := SetHost(path, "work", Settings{}, "a.example.com", false); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	if want := "\ufeff[profiles.work]\nclient_id = \"c\"\nhosts = [\"a.example.com\"]\n"; string(got) != want {
		t.Fatalf("after SetHost:\n%q\nwant\n%q", got, want)
	}
}
