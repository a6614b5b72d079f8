package main

import (
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/alecthomas/kong"
)

// kongParse parses args with the full command line, as kong alone would.
func kongParse(t *testing.T, args []string) (*CLI, *kong.Context, error) {
	t.Helper()
	var cli CLI
	exited := false
	parser, err := kong.New(&cli, kong.Name("authwrap"), kong.Writers(io.Discard, io.Discard),
		kong.Exit(func(int) { exited = true }), kong.Vars{"version": "authwrap test"},
		kong.Groups{"global": "Global flags:"})
	if err != nil {
		t.Fatal(err)
	}
	kctx, err := parser.Parse(args)
	if exited && err == nil {
		err = errExited
	}
	return &cli, kctx, err
}

var errExited = &exitError{code: 0}

// TestFastArgsAgreeWithKong: every command line the fast path takes, it
// reads as kong does (globals, the environment under them, the command's
// own flags and arguments); everything kong refuses, it leaves to kong.
func TestFastArgsAgreeWithKong(t *testing.T) {
	envs := []map[string]string{
		{},
		{"AUTHWRAP_PROFILE": "envp", "AUTHWRAP_CLIENT_ID": "client_env", "AUTHWRAP_API_URL": "https://api.example.com",
			"AUTHWRAP_VERBOSE": "1", "AUTHWRAP_CONFIG": "~/cfg.toml", "AUTHWRAP_KEYRING_BACKEND": "file"},
		{"AUTHWRAP_VERBOSE": "maybe"},
		{"AUTHWRAP_ISSUER": "https://issuer.example.com", "AUTHWRAP_SCOPES": "openid email", "AUTHWRAP_CA_FILE": "rel/ca.pem"},
	}
	lines := []string{
		"token", "token --min-ttl 5m", "token --min-ttl=90s --json", "token --json=false", "token --json=maybe",
		"token -p work", "token --profile=work --client-id c -v", "token --verbose=false", "token --min-ttl",
		"token --min-ttl nope", "token extra", "token --help", "token -h", "token --version", "token --mintl 5m",
		"token -pwork", "token --profile a --profile b", "token --config ~/x.toml --ca-file ./ca.pem",
		"token --api-url https://a.example.com --issuer https://i.example.com", "token -- --json",
		"git-credential get", "git-credential store", "git-credential", "git-credential get extra",
		"git-credential --profile work get", "git-credential get --profile=work", "git-credential -- get",
		"docker-credential get", "docker-credential list -p x", "docker-credential",
		"terraform-credentials get app.terraform.io", "terraform-credentials forget h", "terraform-credentials nope h",
		"terraform-credentials get", "kubectl-credential", "kubectl-credential -v", "kubectl-credential x",
		"version", "version --json", "login", "status --json", "exec -- true",
		"exec true", "exec -- sh -c x", "exec sh -c x --serve", "exec --serve -- true", "exec --env A --env B,C -- env",
		"exec --env=A,B --terraform-host h.example.com true", "exec --min-ttl 1m true", "exec --min-ttl=x true",
		"exec", "exec --", "exec --serv -- true", "exec --allow-nested --serve=false -- true", "exec -p work -- true",
		"exec --env", "exec -- --serve", "exec true -- x", "exec --env A\\,B -- env",
		"cargo-credential --cargo-plugin", "cargo-credential", "cargo-credential --bearer --cargo-plugin", "cargo-credential x",
		"cargo-credential --bearer=false", "cargo-credential --cargo-plugin --cargo-plugin",
		"goauth", "goauth https://h.example/x", "goauth a b", "goauth -p work",
		"keyring get https://h/simple/ u", "keyring get", "keyring set s u", "keyring", "keyring get s u extra", "keyring -- get s -u",
	}
	for _, env := range envs {
		for _, line := range lines {
			t.Run(line, func(t *testing.T) {
				for k, v := range env {
					t.Setenv(k, v)
				}
				args := strings.Fields(line)
				cli, kctx, kerr := kongParse(t, args)
				g, cmd, ok := fastArgs(args)
				if !ok {
					return // left to kong: always allowed
				}
				if kerr != nil {
					t.Fatalf("env %v: fast path took %q, which kong refuses: %v", env, line, kerr)
				}
				if got, want := kctx.Command(), cmd.name; !strings.HasPrefix(got, want) {
					t.Fatalf("command %q, kong %q", want, got)
				}
				for _, f := range []string{"Profile", "ClientID", "APIURL", "Issuer", "Scopes", "KeyringBackend", "Config", "CAFile", "Verbose"} {
					fv := reflect.ValueOf(g).Elem().FieldByName(f).Interface()
					kv := reflect.ValueOf(&cli.Globals).Elem().FieldByName(f).Interface()
					if fv != kv {
						t.Errorf("env %v, %q: %s = %v, kong %v", env, line, f, fv, kv)
					}
				}
				// The struct kong filled for the command it chose.
				want := kctx.Selected().Target.Addr().Interface()
				if !reflect.DeepEqual(cmd.value, want) {
					t.Errorf("env %v, %q: command %+v, kong %+v", env, line, cmd.value, want)
				}
			})
		}
	}
}

// TestFastArgsCoverHelpers: the command lines programs run are all taken
// by the fast path (else the test above would prove nothing).
func TestFastArgsCoverHelpers(t *testing.T) {
	for _, line := range []string{"token", "token --min-ttl 5m --json", "git-credential get", "docker-credential get",
		"exec -- true", "exec --env X -- true",
		"terraform-credentials get app.terraform.io", "kubectl-credential", "version", "git-credential --profile work get",
		"cargo-credential --cargo-plugin", "goauth", "goauth https://h.example/x", "keyring get https://h.example/simple/ u"} {
		if _, _, ok := fastArgs(strings.Fields(line)); !ok {
			t.Errorf("%q is not taken by the fast path", line)
		}
	}
	for _, line := range []string{"token --help", "version --help", "login", "exec --help", "git-credential"} {
		if _, _, ok := fastArgs(strings.Fields(line)); ok {
			t.Errorf("%q is taken by the fast path, but is kong's", line)
		}
	}
}

// TestEveryCommandHasExamples: each command's --help ends with examples
// (a command's Help method), so a new user sees how it is used.
func TestEveryCommandHasExamples(t *testing.T) {
	var cli CLI
	parser, err := kong.New(&cli, kong.Name("authwrap"), kong.Vars{"version": "test"}, kong.Groups{"global": "Global flags:"})
	if err != nil {
		t.Fatal(err)
	}
	for _, leaf := range parser.Model.Leaves(true) {
		if !strings.Contains(leaf.Detail, "authwrap") {
			t.Errorf("authwrap %s --help shows no example", leaf.Path())
		}
	}
}

// TestGlobalFlagsTable: the fast parser's table names every global flag
// with kong's spelling and variable, and nothing else.
func TestGlobalFlagsTable(t *testing.T) {
	var cli CLI
	parser, err := kong.New(&cli, kong.Vars{"version": "test"}, kong.Groups{"global": "Global flags:"})
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, f := range parser.Model.Flags {
		if f.Name == "help" || f.Name == "version" {
			continue // kong's own: the fast parser leaves them to kong
		}
		seen++
		g := findGlobal("--" + f.Name)
		if g == nil {
			t.Errorf("--%s is not in globalFlags", f.Name)
			continue
		}
		if len(f.Envs) != 1 || f.Envs[0] != g.env {
			t.Errorf("--%s: variable %v, table %s", f.Name, f.Envs, g.env)
		}
		if short := map[bool]string{true: "-" + string(f.Short), false: ""}[f.Short != 0]; short != g.short {
			t.Errorf("--%s: short %q, table %q", f.Name, short, g.short)
		}
		if isBool := f.IsBool(); isBool != g.isBool {
			t.Errorf("--%s: bool %v, table %v", f.Name, isBool, g.isBool)
		}
	}
	if seen != len(globalFlags) {
		t.Errorf("kong has %d global flags, the table %d", seen, len(globalFlags))
	}
}
