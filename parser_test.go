package main

import (
	"io"
	"reflect"
	"strings"
	"testing"
)

// parseWith parses args with the model newParser builds for only ("" for
// the whole one), as run does, and returns the chosen command's path and
// the filled-in values, or the error.
func parseWith(t *testing.T, only string, args []string) (string, *CLI, error) {
	t.Helper()
	var cli CLI
	exited := false
	p, err := newParser(&cli, only, io.Discard, io.Discard, func(int) { exited = true })
	if err != nil {
		t.Fatal(err)
	}
	kctx, err := p.Parse(args)
	if err == nil && exited {
		err = errExited
	}
	if err != nil {
		return "", nil, err
	}
	return kctx.Command(), &cli, nil
}

var errExited = &exitError{code: 0}

// TestClientCommandLines: every command line a client runs authwrap with
// (as setup writes it, with git's, Terraform's and the go command's own
// words appended, and through the helper names links give) takes the
// model of its command alone, and is read exactly as the whole model
// reads it: the same command, the same global flags, the same arguments.
func TestClientCommandLines(t *testing.T) {
	for _, tc := range []struct {
		argv    []string // as the client runs it, argv[0] first
		command string   // kong's path of the command
		check   func(cli *CLI, cmd any) bool
	}{
		// git: credential.helper = "!'EXE' git-credential [--profile P]", and git appends the operation.
		{[]string{"authwrap", "git-credential", "get"}, "git-credential <operation>", nil},
		{[]string{"authwrap", "git-credential", "--profile", "work", "store"}, "git-credential <operation>",
			func(c *CLI, cmd any) bool { return c.Profile == "work" && cmd.(*GitCredentialCmd).Operation == "store" }},
		{[]string{"git-credential-authwrap", "erase"}, "git-credential <operation>", nil},
		// docker, podman, skopeo: docker-credential-authwrap ACTION.
		{[]string{"docker-credential-authwrap", "get"}, "docker-credential <action>", nil},
		{[]string{"docker-credential-authwrap", "list"}, "docker-credential <action>", nil},
		{[]string{"docker-credential-authwrap", "version"}, "docker-credential <action>", nil},
		// Terraform: credentials_helper "authwrap" { args = ["--profile", "P"] }, then OP HOST.
		{[]string{"terraform-credentials-authwrap", "--profile", "tf", "get", "app.terraform.io"}, "terraform-credentials <operation> <host>",
			func(c *CLI, cmd any) bool {
				x := cmd.(*TerraformCredentialsCmd)
				return c.Profile == "tf" && x.Operation == "get" && x.Host == "app.terraform.io"
			}},
		{[]string{"terraform-credentials-authwrap", "forget", "app.terraform.io"}, "terraform-credentials <operation> <host>", nil},
		// kubectl: the kubeconfig's exec args.
		{[]string{"authwrap", "kubectl-credential"}, "kubectl-credential", nil},
		{[]string{"authwrap", "kubectl-credential", "--profile", "k8s"}, "kubectl-credential", func(c *CLI, _ any) bool { return c.Profile == "k8s" }},
		// cargo: credential-provider = ["EXE", "cargo-credential", "--bearer"], then --cargo-plugin.
		{[]string{"authwrap", "cargo-credential", "--bearer", "--cargo-plugin"}, "cargo-credential",
			func(_ *CLI, cmd any) bool { x := cmd.(*CargoCredentialCmd); return x.Bearer && x.CargoPlugin }},
		{[]string{"cargo-credential-authwrap", "--cargo-plugin"}, "cargo-credential", nil},
		{[]string{"/usr/bin/authwrap", "--cargo-plugin"}, "cargo-credential", nil},
		// The go command: GOAUTH="netrc;EXE [--profile P] goauth", and the URL on a retry.
		{[]string{"authwrap", "goauth"}, "goauth", nil},
		{[]string{"authwrap", "--profile", "mods", "goauth", "https://mods.example.com/x/@v/list"}, "goauth <url>",
			func(c *CLI, cmd any) bool {
				return c.Profile == "mods" && cmd.(*GoAuthCmd).URL == "https://mods.example.com/x/@v/list"
			}},
		// pip and uv: keyring get SERVICE USERNAME, through the keyring link.
		{[]string{"keyring", "get", "https://pypi.example.com/simple/", "x-access-token"}, "keyring <operation> <service> <username>",
			func(_ *CLI, cmd any) bool {
				x := cmd.(*KeyringCmd)
				return x.Service == "https://pypi.example.com/simple/" && x.Username == "x-access-token"
			}},
		// Scripts and exec.
		{[]string{"authwrap", "token"}, "token", nil},
		// kong reads -p=work as the profile "=work" (which no profile may be
		// called), for every command alike.
		{[]string{"authwrap", "-p=work", "token", "--min-ttl=5m"}, "token", func(c *CLI, _ any) bool { return c.Profile == "=work" }},
		{[]string{"authwrap", "-vp", "work", "token"}, "token", func(c *CLI, _ any) bool { return c.Profile == "work" && c.Verbose }},
		{[]string{"authwrap", "-pwork", "token"}, "token", func(c *CLI, _ any) bool { return c.Profile == "work" }},
		{[]string{"authwrap", "--profile=-dash", "token"}, "token", func(c *CLI, _ any) bool { return c.Profile == "-dash" }},
		{[]string{"authwrap", "exec", "--", "terraform", "plan"}, "exec <command>", nil},
	} {
		args := helperArgs(tc.argv)
		name := chosenCommand(args)
		first, _, _ := strings.Cut(tc.command, " ")
		if name != first {
			t.Errorf("%q: the model built is %q's, want %q's", tc.argv, name, first)
			continue
		}
		got, cli, err := parseWith(t, name, args)
		if err != nil {
			t.Errorf("%q: %v", tc.argv, err)
			continue
		}
		whole, wcli, err := parseWith(t, "", args)
		if err != nil {
			t.Errorf("%q: the whole model: %v", tc.argv, err)
			continue
		}
		if got != tc.command || whole != got {
			t.Errorf("%q: command %q (the whole model: %q), want %q", tc.argv, got, whole, tc.command)
		}
		if !reflect.DeepEqual(cli.Globals, wcli.Globals) {
			t.Errorf("%q: globals %+v, the whole model %+v", tc.argv, cli.Globals, wcli.Globals)
		}
		if tc.check != nil {
			var cmd any
			p, _ := newParser(cli, name, io.Discard, io.Discard, func(int) {})
			kctx, _ := p.Parse(args)
			cmd = kctx.Selected().Target.Addr().Interface()
			if !tc.check(cli, cmd) {
				t.Errorf("%q: read as %+v %+v", tc.argv, cli.Globals, cmd)
			}
		}
	}
}

// TestChosenCommand: which model a line gets. Words that are a global
// flag's value are never taken for the command; anything unclear gets the
// whole model ("").
func TestChosenCommand(t *testing.T) {
	for line, want := range map[string]string{
		"token":                              "token",
		"-p token status":                    "status",
		"--profile token status":             "status",
		"--profile=token status":             "status",
		"-v token":                           "token",
		"-vp token status":                   "status",
		"-ptoken status":                     "status",
		"--verbose token":                    "token",
		"--help":                             "",
		"token --help":                       "token", // kong's exit sends it on to the whole model
		"man":                                "",
		"completion bash":                    "",
		"--bogus token":                      "",
		"-x token":                           "",
		"nope":                               "",
		"-- token":                           "",
		"--config a.toml git-credential get": "git-credential",
	} {
		if got := chosenCommand(strings.Fields(line)); got != want {
			t.Errorf("%q: %q, want %q", line, got, want)
		}
	}
}

// TestHelpAndErrorsUseTheWholeModel: a line the model of one command does
// not take (help, a typo, --version) is answered by the whole model, so
// its messages are kong's for the whole command line.
func TestHelpAndErrorsUseTheWholeModel(t *testing.T) {
	var out, errb strings.Builder
	if code := run([]string{"token", "--mintl", "5m"}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "unknown flag --mintl") {
		t.Errorf("a typo: exit %d, stderr %q", code, errb.String())
	}
	out.Reset()
	errb.Reset()
	if code := run([]string{"token", "--help"}, &out, &errb); code != 0 || !strings.Contains(out.String(), "Usage: authwrap token") {
		t.Errorf("token --help: exit %d, stdout %q", code, out.String())
	}
	out.Reset()
	if code := run([]string{"--version"}, &out, &errb); code != 0 || !strings.HasPrefix(out.String(), "authwrap ") {
		t.Errorf("--version: exit %d, stdout %q", code, out.String())
	}
}

// TestHelpListsGroupsOnce: the top-level help has each group's title
// once, and the command authwrap runs itself (keep-warm) is not listed.
func TestHelpListsGroupsOnce(t *testing.T) {
	var out, errb strings.Builder
	if code := run([]string{"--help"}, &out, &errb); code != 0 {
		t.Fatalf("--help: exit %d: %s", code, errb.String())
	}
	help := out.String()
	for _, title := range []string{"Commands:", "Development:", "Run by other programs"} {
		if n := strings.Count(help, "\n"+title); n != 1 {
			t.Errorf("%q appears %d times in --help:\n%s", title, n, help)
		}
	}
	if strings.Contains(help, "keep-warm") {
		t.Errorf("--help lists keep-warm:\n%s", help)
	}
}
