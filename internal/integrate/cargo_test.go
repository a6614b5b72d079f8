package integrate

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestSetupCargoKeepsTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.toml")
	before := `# my cargo config
[net]
git-fetch-with-cli = true   # keep this

[registries.corp]
# the company registry
index = "sparse+https://old.example/index/"

[registries.other]
index = "sparse+https://other.example/index/"
`
	if err := os.WriteFile(path, []byte(before), 0o600); err != nil {
		t.Fatal(err)
	}
	c := Cargo{Path: path}
	provider := []string{`/opt/auth wrap/authwrap`, "cargo-credential", "--bearer"}
	if err := c.Configure("corp", "sparse+https://cargo.example/index/", provider); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	want := `# my cargo config
[net]
git-fetch-with-cli = true   # keep this

[registries.corp]
# the company registry
index = "sparse+https://cargo.example/index/"
credential-provider = ["/opt/auth wrap/authwrap", "cargo-credential", "--bearer"]

[registries.other]
index = "sparse+https://other.example/index/"
`
	if string(got) != want {
		t.Fatalf("after Configure:\n%s\nwant:\n%s", got, want)
	}
	if ok, err := c.Uses("cargo.example"); !ok || err != nil {
		t.Errorf("Uses = %v, %v", ok, err)
	}
	if ok, _ := c.Uses("other.example"); ok {
		t.Error("Uses says yes for a registry without authwrap")
	}
	// Hosts are compared in the form profiles list them.
	for index, host := range map[string]string{
		"sparse+https://CARGO.example:443/index/": "cargo.example",
		"sparse+https://cargo.example.:8443/i/":   "cargo.example:8443",
	} {
		c2 := Cargo{Path: filepath.Join(t.TempDir(), "config.toml")}
		if err := c2.Configure("r", index, provider); err != nil {
			t.Fatal(err)
		}
		if ok, err := c2.Uses(host); !ok || err != nil {
			t.Errorf("index %s: Uses(%s) = %v, %v", index, host, ok, err)
		}
	}
	// Again: nothing changes.
	if err := c.Configure("corp", "", provider); err != nil {
		t.Fatal(err)
	}
	if again, _ := os.ReadFile(path); string(again) != want {
		t.Errorf("a second Configure changed the file:\n%s", again)
	}
	if err := c.Remove("corp"); err != nil {
		t.Fatal(err)
	}
	after, _ := os.ReadFile(path)
	if strings.Contains(string(after), "credential-provider") || !strings.Contains(string(after), "# the company registry\nindex =") {
		t.Errorf("after Remove:\n%s", after)
	}
	if err := c.Remove("corp"); !errors.Is(err, ErrNothingToRemove) {
		t.Errorf("second Remove: %v", err)
	}
	// A new registry goes at the end, in a file that did not exist.
	fresh := Cargo{Path: filepath.Join(t.TempDir(), "new", "config.toml")}
	if err := fresh.Configure("corp", "sparse+https://c.example/i/", []string{"authwrap", "cargo-credential"}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(fresh.Path); string(b) != "[registries.corp]\nindex = \"sparse+https://c.example/i/\"\ncredential-provider = [\"authwrap\", \"cargo-credential\"]\n" {
		t.Errorf("new file:\n%s", b)
	}
}

// A file with Windows line ends, one holding only a comment, and an
// empty one are edited in place, each keeping its shape.
func TestSetupCargoOtherShapes(t *testing.T) {
	provider := []string{`C:\Tools\authwrap.exe`, "cargo-credential"}
	for name, c := range map[string]struct{ before, after string }{
		"crlf": {"[net]\r\nretry = 2\r\n\r\n[registries.corp]\r\nindex = \"sparse+https://a/\"\r\n",
			"[net]\r\nretry = 2\r\n\r\n[registries.corp]\r\nindex = \"sparse+https://b/\"\r\ncredential-provider = [\"C:\\\\Tools\\\\authwrap.exe\", \"cargo-credential\"]\r\n"},
		"comment only": {"# nothing yet", "# nothing yet\n\n[registries.corp]\nindex = \"sparse+https://b/\"\ncredential-provider = [\"C:\\\\Tools\\\\authwrap.exe\", \"cargo-credential\"]\n"},
		"empty":        {"", "[registries.corp]\nindex = \"sparse+https://b/\"\ncredential-provider = [\"C:\\\\Tools\\\\authwrap.exe\", \"cargo-credential\"]\n"},
		// cargo takes a string too (split at spaces): replaced in place.
		"provider as a string": {"[registries.corp]\nindex = \"sparse+https://a/\"\ncredential-provider = \"cargo:token\"\n",
			"[registries.corp]\nindex = \"sparse+https://b/\"\ncredential-provider = [\"C:\\\\Tools\\\\authwrap.exe\", \"cargo-credential\"]\n"},
		// A byte order mark (Notepad) stays, and the table behind it is found.
		"byte order mark": {"\ufeff[registries.corp]\nindex = \"sparse+https://a/\"\n",
			"\ufeff[registries.corp]\nindex = \"sparse+https://b/\"\ncredential-provider = [\"C:\\\\Tools\\\\authwrap.exe\", \"cargo-credential\"]\n"},
	} {
		path := filepath.Join(t.TempDir(), "config.toml")
		if err := os.WriteFile(path, []byte(c.before), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := (Cargo{Path: path}).Configure("corp", "sparse+https://b/", provider); err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if got, _ := os.ReadFile(path); string(got) != c.after {
			t.Errorf("%s:\n got %q\nwant %q", name, got, c.after)
		}
	}
}

// Shapes setup does not edit are refused, and the file is left as it was.
func TestSetupCargoRefuses(t *testing.T) {
	for name, body := range map[string]string{
		"inline table":   "[registries]\ncorp = { index = \"sparse+https://x/\" }\n",
		"dotted keys":    "registries.corp.index = \"sparse+https://x/\"\n",
		"multi-line":     "[registries.corp]\nindex = \"sparse+https://x/\"\ncredential-provider = [\n  \"a\",\n]\n",
		"not toml":       "[registries.corp\nindex = 1\n",
		"table twice":    "[registries.corp]\nindex = \"a\"\n[registries.\"corp\"]\n",
		"no index given": "[registries.corp]\n",
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "config.toml")
			_ = os.WriteFile(path, []byte(body), 0o600)
			err := Cargo{Path: path}.Configure("corp", "", []string{"authwrap", "cargo-credential"})
			if !errors.Is(err, ErrCargoConfig) {
				t.Errorf("Configure: %v", err)
			}
			if b, _ := os.ReadFile(path); string(b) != body {
				t.Errorf("the file changed:\n%s", b)
			}
		})
	}
	if err := (Cargo{Path: filepath.Join(t.TempDir(), "c.toml")}).Configure("bad name]", "x", nil); !errors.Is(err, ErrCargoConfig) {
		t.Errorf("bad registry name: %v", err)
	}
}

// Whatever the file holds, Configure either writes a file cargo reads
// with the registry set as asked, or an error and the file untouched.
func FuzzSetupCargo(f *testing.F) {
	f.Add("[registries.corp]\nindex = \"sparse+https://a/\"\n", "sparse+https://b/")
	f.Add("# c\n[net]\nretry = 2\n", "sparse+https://b/i/")
	f.Add("[registries]\ncorp = {index=\"x\"}\n", "")
	f.Fuzz(func(t *testing.T, body, index string) {
		path := filepath.Join(t.TempDir(), "config.toml")
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		c := Cargo{Path: path}
		provider := []string{"authwrap", "cargo-credential"}
		err := c.Configure("corp", index, provider)
		after, _ := os.ReadFile(path)
		if err != nil {
			if string(after) != body {
				t.Fatalf("failed (%v) but changed the file", err)
			}
			return
		}
		f, _, rerr := c.read()
		if rerr != nil {
			t.Fatalf("wrote a file it cannot read: %v\n%s", rerr, after)
		}
		r := f.Registries["corp"]
		if (index != "" && r.Index != index) || !IsAuthwrapProvider(r.Provider()) {
			t.Fatalf("wrote %+v for index %q", r, index)
		}
	})
}

// A credential-provider written as a string, as cargo allows, is read as
// cargo splits it: authwrap's is recognised and removed.
func TestCargoProviderAsString(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.toml")
	body := "[registries.corp]\nindex = \"sparse+https://cargo.example.com/index/\"\ncredential-provider = \"/usr/bin/authwrap cargo-credential --bearer\"\n"
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	c := Cargo{Path: path}
	regs, err := c.Registries()
	if err != nil || !slices.Equal(regs["corp"].Provider, []string{"/usr/bin/authwrap", "cargo-credential", "--bearer"}) {
		t.Fatalf("Registries: %v, %v", regs, err)
	}
	if uses, err := c.Uses("cargo.example.com"); !uses || err != nil {
		t.Fatalf("Uses: %v, %v", uses, err)
	}
	if err := c.Remove("corp"); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != "[registries.corp]\nindex = \"sparse+https://cargo.example.com/index/\"\n" {
		t.Fatalf("after Remove:\n%s", got)
	}
}
