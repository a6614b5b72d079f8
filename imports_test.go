package main

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestPackageImports holds every package of the module to the map in
// docs/packages.md: the packages of this module it imports must be among
// those its row lists (main may import all), and every package must have
// a row.
func TestPackageImports(t *testing.T) {
	const module = "github.com/authwrap/authwrap"
	doc, err := os.ReadFile(filepath.Join("docs", "packages.md"))
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("(?m)^\\| `([^`]+)`[^|]*\\| ([^|]*)\\|")
	allowed := map[string][]string{}
	for _, m := range row.FindAllStringSubmatch(string(doc), -1) {
		pkg := m[1]
		if strings.HasPrefix(pkg, ".") {
			pkg = "."
		}
		allowed[pkg] = nil
		for _, q := range regexp.MustCompile("`([^`]+)`").FindAllStringSubmatch(m[2], -1) {
			allowed[pkg] = append(allowed[pkg], q[1])
		}
	}
	err = filepath.WalkDir(".", func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if p != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "docs" || d.Name() == "release") {
			return filepath.SkipDir
		}
		entries, _ := os.ReadDir(p)
		fset := token.NewFileSet()
		var imports []string
		hasGo := false
		for _, e := range entries {
			n := e.Name()
			if e.IsDir() || !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, filepath.Join(p, n), nil, parser.ImportsOnly|parser.ParseComments)
			if err != nil {
				return err
			}
			hasGo = true
			for _, im := range f.Imports {
				path := strings.Trim(im.Path.Value, `"`)
				if rest, ok := strings.CutPrefix(path, module+"/"); ok {
					imports = append(imports, rest)
				}
			}
		}
		if !hasGo {
			return nil
		}
		pkg := filepath.ToSlash(p)
		rules, ok := allowed[pkg]
		if !ok {
			t.Errorf("package %s has no row in docs/packages.md", pkg)
			return nil
		}
		if pkg == "." {
			return nil
		}
		for _, im := range imports {
			if !slices.Contains(rules, im) {
				t.Errorf("%s imports %s, which its row in docs/packages.md does not allow", pkg, im)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
