package protocol

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"log/slog"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestSecretsPrintMasked: no verb of fmt, neither of log/slog's handlers
// and no json.Marshal (slog's JSON handler's way) shows the token a
// protocol value carries; the rest of the value still shows.
func TestSecretsPrintMasked(t *testing.T) {
	const tok = "SEKRIT-TOKEN-VALUE"
	for name, c := range map[string]struct {
		v    any
		show string
	}{
		"secret": {Secret(tok), redacted},
		"git": {GitCredential{Protocol: "https", Host: "git.example.com", Username: "x", Password: tok, Credential: tok,
			Other: map[string]Secret{"oauth_refresh_token": tok}}, "git.example.com"},
		"git *":     {&GitCredential{Host: "git.example.com", Password: tok}, "Password:" + redacted},
		"terraform": {TerraformToken{Token: tok}, "Token:" + redacted},
		"kubectl":   {NewExecCredential(ExecInfo{APIVersion: ExecCredentialV1}, tok, time.Unix(0, 0)), ExecCredentialV1},
		"kubectl *": {&ExecCredential{Kind: "ExecCredential", Status: ExecCredentialStatus{Token: tok}}, "ExecCredential"},
		"cargo req": {CargoRequest{V: 1, Kind: "login", Token: tok, Registry: CargoRegistry{IndexURL: "sparse+https://c.example/"}}, "c.example"},
		"cargo tok": {CargoToken{Token: tok}, "Token:" + redacted},
		"goauth":    {GoAuthBlock{URLs: []string{"https://g.example"}, Headers: []Secret{"Authorization: Bearer " + tok}}, "g.example"},
	} {
		var out []string
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10.3v"} {
			out = append(out, fmt.Sprintf(verb, c.v))
		}
		out = append(out, fmt.Sprint(c.v), fmt.Sprintln([]any{c.v}))
		var logs bytes.Buffer
		slog.New(slog.NewTextHandler(&logs, nil)).Info("m", "v", c.v)
		slog.New(slog.NewJSONHandler(&logs, nil)).Info("m", "v", c.v)
		out = append(out, logs.String())
		all := strings.Join(out, "\n")
		if strings.Contains(all, tok) || strings.Contains(strings.ToLower(all), fmt.Sprintf("%x", tok)) {
			t.Errorf("%s: the token shows:\n%s", name, all)
		}
		if !strings.Contains(out[1], c.show) {
			t.Errorf("%s: %%+v = %s, want it to show %q", name, out[1], c.show)
		}
	}
	if s := fmt.Sprintf("%v|%#v|%s", Secret(""), Secret(""), Secret("")); s != "||" {
		t.Errorf("an empty Secret prints %q, want nothing", s)
	}
}

// secretName is a field name that suggests the field may hold a token.
var secretName = regexp.MustCompile(`(?i)password|token|secret|credential|authorization|header|cookie`)

// notSecret are the fields secretName matches that hold no token, and why.
var notSecret = map[string]string{
	"GitCredential.PasswordExpiryUTC": "a time",
	"CargoRegistry.Headers":           "the headers of the registry's refusal (challenges), not of a request",
	"GoAuthResponse.Header":           "the headers of the server's refusal, not of a request",
}

// TestSecretFieldsAreSecrets reads this package's source: every field of
// an exported type whose name suggests a token (Password, Token,
// Credential, Headers, ...) is a Secret (or a slice or map of them), so
// that a new request or answer type cannot print its token. A field that
// holds none is listed in notSecret with the reason.
func TestSecretFieldsAreSecrets(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		// A test binary run away from its sources (the Windows binaries
		// under wine): the source check is the Linux run's.
		t.Skip("the package's source is not here")
	}
	isSecret := func(e ast.Expr) bool {
		switch x := e.(type) {
		case *ast.ArrayType:
			e = x.Elt
		case *ast.MapType:
			e = x.Value
		case *ast.StarExpr:
			e = x.X
		}
		id, ok := e.(*ast.Ident)
		return ok && id.Name == "Secret"
	}
	checked, excused := 0, 0
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.TYPE {
				continue
			}
			for _, s := range gd.Specs {
				ts := s.(*ast.TypeSpec)
				if !ts.Name.IsExported() {
					continue
				}
				ast.Inspect(ts.Type, func(n ast.Node) bool {
					st, ok := n.(*ast.StructType)
					if !ok {
						return true
					}
					for _, fld := range st.Fields.List {
						for _, id := range fld.Names {
							name := ts.Name.Name + "." + id.Name
							if !secretName.MatchString(id.Name) {
								continue
							}
							if notSecret[name] != "" {
								excused++
								continue
							}
							checked++
							if !isSecret(fld.Type) {
								t.Errorf("%s may hold a token: make it a Secret (or list it in notSecret with the reason)", name)
							}
						}
					}
					return true
				})
			}
		}
	}
	if checked < 6 || excused != len(notSecret) {
		t.Errorf("%d token fields and %d of the %d in notSecret found: is the walk still reading the package, and notSecret up to date?", checked, excused, len(notSecret))
	}
}
