// Package apicheck lists a package's exported API and the names in it that
// lack a doc comment. It backs api_test.go; nothing else uses it.
package apicheck

import (
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Exported returns the package's exported identifiers (constants,
// variables, functions, types, methods and exported struct fields, as
// "Type.Name" for members) and those among them without a doc comment.
func Exported(dir string) (names, undocumented []string, err error) {
	fset := token.NewFileSet()
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, err
	}
	var files []*ast.File
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, n), nil, parser.ParseComments)
		if err != nil {
			return nil, nil, err
		}
		files = append(files, f)
	}
	d, err := doc.NewFromFiles(fset, files, "example.com/"+filepath.Base(dir))
	if err != nil {
		return nil, nil, err
	}
	{
		add := func(name, text string) {
			names = append(names, name)
			if strings.TrimSpace(text) == "" {
				undocumented = append(undocumented, name)
			}
		}
		values := func(vs []*doc.Value) {
			for _, v := range vs {
				for _, spec := range v.Decl.Specs {
					vs := spec.(*ast.ValueSpec)
					for _, n := range vs.Names {
						if n.IsExported() {
							text := v.Doc
							if vs.Doc != nil {
								text += vs.Doc.Text()
							}
							if vs.Comment != nil {
								text += vs.Comment.Text()
							}
							add(n.Name, text)
						}
					}
				}
			}
		}
		values(d.Consts)
		values(d.Vars)
		for _, f := range d.Funcs {
			add(f.Name, f.Doc)
		}
		for _, t := range d.Types {
			add(t.Name, t.Doc)
			values(t.Consts)
			values(t.Vars)
			for _, f := range t.Funcs {
				add(f.Name, f.Doc)
			}
			for _, m := range t.Methods {
				add(t.Name+"."+m.Name, m.Doc)
			}
			for _, spec := range t.Decl.Specs {
				st, ok := spec.(*ast.TypeSpec).Type.(*ast.StructType)
				if !ok {
					continue
				}
				for _, f := range st.Fields.List {
					for _, n := range f.Names {
						if n.IsExported() {
							text := ""
							if f.Doc != nil {
								text = f.Doc.Text()
							}
							if f.Comment != nil {
								text += f.Comment.Text()
							}
							add(t.Name+"."+n.Name, text)
						}
					}
				}
			}
		}
	}
	sort.Strings(names)
	sort.Strings(undocumented)
	return names, undocumented, nil
}
