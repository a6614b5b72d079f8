package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestEnvironmentDocumented: every variable the code reads is in the one
// list (environment), and docs/configuration.md and the man page name every
// one.
func TestEnvironmentDocumented(t *testing.T) {
	listed := map[string]bool{}
	for _, e := range environment {
		listed[e.Name] = true
	}
	// Names the list covers under another entry, and test-only ones.
	covered := map[string]bool{"HTTP_PROXY": true, "NO_PROXY": true, "WAYLAND_DISPLAY": true,
		"WSL_DISTRO_NAME": true, "XDG_RUNTIME_DIR": true, "APPDATA": true, "DISABLE_KWALLET": true}
	// and every name an entry's text lists beside its own.
	for _, e := range environment {
		for _, name := range regexp.MustCompile(`\b[A-Z][A-Z_]{2,}\b`).FindAllString(e.What, -1) {
			covered[name] = true
		}
	}
	read := regexp.MustCompile(`(?:Getenv|LookupEnv|xdgDir)\("([A-Z_]+)"|env:"([A-Z_]+)"|Var += "([A-Z_]+)"`)
	err := filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (path == "examples" || path == "bench" || strings.HasPrefix(d.Name(), ".") && path != ".") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || strings.Contains(path, "authkittest") || strings.Contains(path, "termtest") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range read.FindAllStringSubmatch(string(src), -1) {
			name := m[1] + m[2] + m[3]
			if !listed[name] && !covered[name] {
				t.Errorf("%s reads %s, which the environment list (envvars.go) does not name", path, name)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := os.ReadFile(filepath.Join("docs", "configuration.md"))
	man, _ := os.ReadFile(filepath.Join("release", "authwrap.1"))
	for _, e := range environment {
		if !strings.Contains(string(doc), e.Name) {
			t.Errorf("docs/configuration.md does not mention %s", e.Name)
		}
		if !strings.Contains(strings.ReplaceAll(string(man), `\_`, "_"), e.Name) {
			t.Errorf("the man page does not list %s", e.Name)
		}
	}
}
