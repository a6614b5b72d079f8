// Command authwrap signs people in to a service protected by WorkOS
// AuthKit with the OAuth 2.0 device authorization grant (RFC 8628), keeps
// the session in the system keyring, and hands a valid access token to
// whatever needs it.
package main

import (
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"time"

	"github.com/alecthomas/kong"
	"github.com/willabides/kongplete"

	"github.com/authwrap/authwrap/flow"
	"github.com/authwrap/authwrap/helper"
	"github.com/authwrap/authwrap/internal/appenv"
	"github.com/authwrap/authwrap/internal/config"
	"github.com/authwrap/authwrap/internal/fsutil"
	"github.com/authwrap/authwrap/internal/httplog"
	"github.com/authwrap/authwrap/internal/integrate"
	"github.com/authwrap/authwrap/internal/safetext"
	"github.com/authwrap/authwrap/internal/term"
)

//go:generate sh -c "go run . man > release/authwrap.1"
//go:generate sh -c "AUTHWRAP_COMPLETION_BIN=1 go run . completion bash > release/completions/authwrap.bash"
//go:generate sh -c "AUTHWRAP_COMPLETION_BIN=1 go run . completion zsh > release/completions/_authwrap.zsh"
//go:generate sh -c "AUTHWRAP_COMPLETION_BIN=1 go run . completion fish > release/completions/authwrap.fish"

// version is set at build time with -ldflags "-X main.version=...".
// app is this program's name, from which the library derives what the
// person sees: the sign-in lines' prefix, the keyring service, the state
// directories, the AUTHWRAP_ variables.
const app = "authwrap"

var version = ""

// CLI is the command line: the global flags, and the commands (added
// from the commands table by newParser).
type CLI struct {
	Globals
}

// Command groups, as `authwrap --help` lists them.
const (
	groupYou      = "you"
	groupPrograms = "programs"
	groupDev      = "dev"
	// groupHidden: a command authwrap runs itself, left out of help.
	groupHidden = ""
)

// cliCommand is one of authwrap's commands: its name, the group its help is
// listed under, its one-line help, and a new value of its struct.
type cliCommand struct {
	name, group, help string
	new               func() any
	// whole: the command reads kong's model of the whole command line
	// (the man page, completions), so it is always parsed with it.
	whole bool
	// hot: a command programs run many times a minute (a cached read):
	// it catches signals from its first wait on, not from the start
	// (signalContext), which saves starting the signal machinery on runs
	// that never wait. The others catch them at once: some write files
	// before they wait for anything.
	hot bool
}

// commands lists every command, in the order help lists them.
var commands = []cliCommand{
	{"login", groupYou, "Sign in with a one-time code approved in a browser.", func() any { return &LoginCmd{} }, false, false},
	{"token", groupYou, "Print a valid access token on stdout, refreshing it first if needed.", func() any { return &TokenCmd{} }, false, true},
	{"status", groupYou, "Show who is signed in, until when, and where the session is stored.", func() any { return &StatusCmd{} }, false, false},
	{"logout", groupYou, "Delete the stored session of a profile.", func() any { return &LogoutCmd{} }, false, false},
	{"switch-org", groupYou, "Move the session to another WorkOS organization.", func() any { return &SwitchOrgCmd{} }, false, false},
	{"exec", groupYou, "Run a command with a valid token in its environment.", func() any { return &ExecCmd{} }, false, true},
	{"setup", groupYou, "Configure git, docker, Terraform, kubectl, cargo, the go command or pip to get tokens from authwrap.", func() any { return &SetupCmd{} }, false, false},
	{"config", groupYou, "Read and save settings: config set client_id ID, config get, config list.", func() any { return &ConfigCmd{} }, false, false},
	{"doctor", groupYou, "Check the configuration, storage, server, session and every tool set up, and say how to fix what is wrong.", func() any { return &DoctorCmd{} }, false, false},
	{"version", groupYou, "Print the version.", func() any { return &VersionCmd{} }, false, true},
	{"completion", groupYou, "Print the shell code that completes authwrap's commands and flags (bash, zsh or fish).", func() any { return &CompletionCmd{} }, true, false},
	{"man", groupYou, "Print the man page (roff): authwrap man | man -l -", func() any { return &ManCmd{} }, true, false},
	{"git-credential", groupPrograms, "git's credential helper (also as git-credential-authwrap).", func() any { return &GitCredentialCmd{} }, false, true},
	{"docker-credential", groupPrograms, "docker's credential helper (also as docker-credential-authwrap).", func() any { return &DockerCredentialCmd{} }, false, true},
	{"terraform-credentials", groupPrograms, "Terraform's and OpenTofu's credentials helper (also as terraform-credentials-authwrap).", func() any { return &TerraformCredentialsCmd{} }, false, true},
	{"kubectl-credential", groupPrograms, "kubectl's exec credential plugin.", func() any { return &KubectlCredentialCmd{} }, false, true},
	{"cargo-credential", groupPrograms, "cargo's credential provider (also as cargo-credential-authwrap).", func() any { return &CargoCredentialCmd{} }, false, true},
	{"goauth", groupPrograms, "The go command's GOAUTH command: Authorization headers for private modules.", func() any { return &GoAuthCmd{} }, false, true},
	{"keyring", groupPrograms, "pip's and uv's keyring subprocess provider (run as keyring: see setup pip).", func() any { return &KeyringCmd{} }, false, true},
	{"dev-server", groupDev, "Run a local AuthKit-compatible server for development and tests.", func() any { return &DevServerCmd{} }, false, false},
	{"demo", groupDev, "Walk through login, token and status against a throwaway local server.", func() any { return &DemoCmd{} }, false, false},
	// Started by authwrap itself, not by people: hidden from help.
	{"keep-warm", groupHidden, "Keep a profile's session fresh while it is in use (started by authwrap).", func() any { return &KeepWarmCmd{} }, false, false},
}

// globalHelp holds the global flags' help texts, which their tags name
// as ${help_...}: kong reads every tag of the model on every run, and the
// model of one command (which never shows help) then reads short ones.
var globalHelp = kong.Vars{
	"help_profile":        "Profile to use (default: the config's default_profile, else \"default\").",
	"help_clientid":       "AuthKit client ID, overriding the profile's.",
	"help_apiurl":         "WorkOS API URL for User Management sign-in (default https://api.workos.com).",
	"help_issuer":         "Issuer URL of a standard RFC 8628 server, found by discovery (instead of --api-url).",
	"help_scopes":         "Space-separated scopes for a standard server (default \"openid profile email offline_access\").",
	"help_keyringbackend": "Storage backend: keyctl, secret-service, pass, file, keychain or wincred (default: the first that works).",
	"help_config":         "Configuration file (default $XDG_CONFIG_HOME/authwrap/config.toml).",
	"help_cafile":         "PEM file of extra CA certificates to trust (a private CA, a TLS-inspecting proxy).",
	"help_verbose":        "Log each request to the authorization server on stderr (secrets masked).",
	"help_version":        "Print the version and exit.",
}

// Globals are the flags every command takes.
type Globals struct {
	Profile        string           `group:"global" short:"p" env:"AUTHWRAP_PROFILE" help:"${help_profile}"`
	ClientID       string           `group:"global" name:"client-id" env:"AUTHWRAP_CLIENT_ID" help:"${help_clientid}"`
	APIURL         string           `group:"global" name:"api-url" env:"AUTHWRAP_API_URL" help:"${help_apiurl}"`
	Issuer         string           `group:"global" env:"AUTHWRAP_ISSUER" help:"${help_issuer}"`
	Scopes         string           `group:"global" env:"AUTHWRAP_SCOPES" help:"${help_scopes}"`
	KeyringBackend string           `group:"global" name:"keyring-backend" env:"AUTHWRAP_KEYRING_BACKEND" help:"${help_keyringbackend}"`
	Config         string           `group:"global" type:"path" env:"AUTHWRAP_CONFIG" help:"${help_config}"`
	CAFile         string           `group:"global" name:"ca-file" type:"path" env:"AUTHWRAP_CA_FILE" help:"${help_cafile}"`
	Verbose        bool             `group:"global" short:"v" env:"AUTHWRAP_VERBOSE" help:"${help_verbose}"`
	Version        kong.VersionFlag `group:"global" name:"version" help:"${help_version}"`

	// stderr is where messages go: through safetext, so that no text
	// from outside (a server's error, a file's contents) reaches the
	// terminal as escape sequences. term is the stream beneath it, for
	// the sign-in prompt, which draws on the terminal on purpose.
	stdout, stderr, term io.Writer
	client               *http.Client
	// given names the flags given on the command line (not from the
	// environment): only those are saved into a profile.
	given map[string]bool
	// mayCreateConfig lets a --config that does not exist yet through
	// (setup writes it); every other command refuses one.
	mayCreateConfig bool
	// resolvedClient and resolvedProfile are the client ID and name of
	// the profile in use, for messages.
	resolvedClient, resolvedProfile string
	// chosenProfile is the profile the flags and AUTHWRAP_CLIENT_ID,
	// _API_URL, _ISSUER and _SCOPES apply to (resolve).
	chosenProfile string
}

func main() {
	os.Exit(run(helperArgs(os.Args), os.Stdout, os.Stderr))
}

// helperNames are the names other programs run authwrap by (a symlink or
// copy of this binary with that name), and the command each one is: git's
// git-credential-authwrap OP, docker's docker-credential-authwrap ACTION,
// Terraform's and cargo's helpers, and `keyring get SERVICE USERNAME` as
// pip and uv run it (setup pip makes that link).
var helperNames = map[string]string{
	"git-credential-authwrap":        "git-credential",
	"docker-credential-authwrap":     "docker-credential",
	"terraform-credentials-authwrap": "terraform-credentials",
	"cargo-credential-authwrap":      "cargo-credential",
	"keyring":                        "keyring",
}

// helperArgs maps the names in helperNames to their commands.
func helperArgs(argv []string) []string {
	if cmd, ok := helperNames[strings.TrimSuffix(filepath.Base(argv[0]), ".exe")]; ok {
		return append([]string{cmd}, argv[1:]...)
	}
	// cargo runs a credential provider as PROGRAM --cargo-plugin, with the
	// arguments its configuration gives in the requests themselves.
	if len(argv) == 2 && argv[1] == "--cargo-plugin" {
		return []string{"cargo-credential", "--cargo-plugin"}
	}
	return argv[1:]
}

// exitError carries a specific exit status.
type exitError struct {
	code int
	err  error
	// quiet means the message was already written where the protocol wants it.
	quiet bool
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// interrupted is the cause of the context when a signal arrives.
type interrupted struct{ sig os.Signal }

func (i *interrupted) Error() string { return "interrupted by " + i.sig.String() }

// exitCode is 128 plus the signal number, as a shell reports it.
func (i *interrupted) exitCode() int {
	if s, ok := i.sig.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return 130
}

// run parses args, runs the command and returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	// No process authwrap starts (exec's command, a browser, git,
	// kubectl) may inherit what unlocks the storage.
	appenv.Take(appenv.PassphraseVar(app), appenv.ClientSecretVar(app))
	switch {
	case len(args) == 0:
		args = []string{"--help"} // authwrap alone: the help, exit 0
	case args[0] == "help":
		args = append(args[1:], "--help") // authwrap help [command]
	}
	return runParsed(args, stdout, stderr)
}

// runParsed parses args with kong and runs the chosen command. Building
// kong's model of every command costs more than the rest of a cached
// read, so the command named on the line (chosenCommand) is parsed first
// with a model of the global flags and that command alone; a line that
// does not parse that way (help, --version, a typo, a completion request)
// is parsed again with the whole model, which gives kong's own help and
// messages. Either way kong is the one parser.
func runParsed(args []string, stdout, stderr io.Writer) int {
	if name := chosenCommand(args); name != "" && os.Getenv("COMP_LINE") == "" {
		var cli CLI
		exited := false
		parser, err := newParser(&cli, name, io.Discard, io.Discard, func(int) { exited = true })
		if err == nil {
			if kctx, err := parser.Parse(args); err == nil && !exited && kctx.Command() != "" {
				g := &cli.Globals
				g.stdout, g.stderr, g.term = stdout, safetext.Writer{W: stderr}, stderr
				return runCommand(kctx, g, g.stderr)
			}
		}
	}
	var cli CLI
	g := &cli.Globals
	g.stdout, g.stderr, g.term = stdout, safetext.Writer{W: stderr}, stderr
	stderr = g.stderr
	exited := -1
	parser, err := newParser(&cli, "", stdout, stderr, func(code int) { exited = code })
	if err != nil {
		fmt.Fprintf(stderr, "authwrap: error: %v\n", err)
		return 2
	}
	if os.Getenv("COMP_LINE") != "" {
		// A shell asking for completions (see `authwrap completion`).
		kongplete.Complete(parser, kongplete.WithExitFunc(func(code int) { exited = code }))
		if exited >= 0 {
			return exited
		}
	}
	kctx, err := parser.Parse(args)
	if exited >= 0 {
		return exited // --help printed and asked to exit
	}
	if err != nil {
		fmt.Fprintf(stderr, "authwrap: error: %v\nauthwrap: hint: run `%s --help` for usage\n", missingSubcommand(err), helpCommand(err))
		return 2
	}
	if kctx == nil || kctx.Command() == "" {
		return 0
	}
	return runCommand(kctx, g, stderr)
}

// newParser builds kong's model of the command line: the global flags
// and the command named only, or every command when only is "".
func newParser(cli *CLI, only string, stdout, stderr io.Writer, exit func(int)) (*kong.Kong, error) {
	opts := []kong.Option{kong.Name("authwrap"), kong.Writers(stdout, stderr), kong.Exit(exit)}
	if only == "" {
		// What only help and errors use: the model of one command is
		// used only for a line that parses without either.
		opts = append(opts, kong.Description("Sign in to a WorkOS AuthKit service with a one-time code, and hand out valid access tokens."),
			kong.UsageOnError(),
			kong.ConfigureHelp(kong.HelpOptions{Compact: true}),
			kong.Help(printHelp),
			kong.Groups{
				"global":      "Global flags (every command takes them):",
				groupYou:      "Commands:",
				groupPrograms: "Run by other programs (set up with `authwrap setup TOOL`):",
				groupDev:      "Development:",
			},
			kong.Vars{"version": "authwrap " + versionString()}, globalHelp)
	}
	for _, c := range commands {
		if only == "" || c.name == only {
			group, tags := c.group, []string(nil)
			if c.group == groupHidden {
				// In a group of its own kong would still print a title.
				group, tags = groupDev, append(tags, "hidden")
			}
			opts = append(opts, kong.DynamicCommand(c.name, c.help, group, c.new(), tags...))
		}
	}
	if only != "" {
		// A line this model takes is never shown help: its help texts
		// are dropped before kong runs its interpolation over them.
		opts = append(opts, kong.PostBuild(dropHelp))
	}
	return kong.New(cli, opts...)
}

// dropHelp empties the help texts of a model.
func dropHelp(k *kong.Kong) error {
	return kong.Visit(k.Model.Node, func(v kong.Visitable, next kong.Next) error {
		switch v := v.(type) {
		case *kong.Node:
			v.Help, v.Detail = "", ""
		case *kong.Value:
			v.Help = ""
		}
		return next(nil)
	})
}

// printHelp is kong's help, arranged as gh arranges its own: `authwrap
// --help` lists the commands by group (setup's tools under setup), then
// the global flags, once; a command's help shows its own flags and
// arguments, and points at the global ones.
func printHelp(options kong.HelpOptions, ctx *kong.Context) error {
	if ctx.Selected() == nil {
		options.FlagsLast = true
		options.NoExpandSubcommands = true
		return kong.DefaultHelpPrinter(options, ctx)
	}
	for _, f := range ctx.Model.Flags {
		if f.Group != nil && f.Group.Key == "global" {
			f.Hidden = true
		}
	}
	if err := kong.DefaultHelpPrinter(options, ctx); err != nil {
		return err
	}
	_, err := fmt.Fprintln(ctx.Stdout, "\nGlobal flags (--profile, --config, --verbose, ...): see `authwrap --help`.")
	return err
}

// chosenCommand returns the command a line names: its first word that is
// neither a flag nor a global flag's value, when that is a command; else
// "". It only picks which model to build: kong parses the line.
func chosenCommand(args []string) string {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--" || a == "-":
			return ""
		case strings.HasPrefix(a, "--"):
			if strings.Contains(a, "=") {
				continue
			}
			takes, known := globalTakesValue(strings.TrimPrefix(a, "--"), 0)
			if !known {
				return ""
			}
			if takes {
				i++
			}
		case strings.HasPrefix(a, "-"):
			// A cluster of short flags (-vp NAME, -pNAME).
			for j, r := range a[1:] {
				takes, known := globalTakesValue("", r)
				if !known {
					return ""
				}
				if takes {
					if j == len(a)-2 {
						i++ // the value is the next word
					}
					break
				}
			}
		default:
			for _, c := range commands {
				if c.name == a && !c.whole {
					return a
				}
			}
			return ""
		}
	}
	return ""
}

// globalTakesValue reports whether the global flag named long (or with
// the short letter) takes a value, from Globals' fields and tags as kong
// reads them; known is false for a name that is not a global flag.
func globalTakesValue(long string, short rune) (takes, known bool) {
	if long == "help" || short == 'h' {
		return false, true
	}
	t := reflect.TypeFor[Globals]()
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name := cmp.Or(f.Tag.Get("name"), kebab(f.Name))
		s := f.Tag.Get("short")
		if (long != "" && name == long) || (short != 0 && s == string(short)) {
			k := f.Type.Kind()
			return k != reflect.Bool && f.Type != reflect.TypeFor[kong.VersionFlag](), true
		}
	}
	return false, false
}

// kebab spells a field name as kong names its flag: KeyringBackend is
// keyring-backend.
func kebab(s string) string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 && r >= 'A' && r <= 'Z' && !(s[i-1] >= 'A' && s[i-1] <= 'Z') {
			b.WriteByte('-')
		}
		b.WriteRune(r)
	}
	return strings.ToLower(b.String())
}

// missingSubcommand names every subcommand when a command that needs one
// was given none (kong lists only the first five): `authwrap setup`.
func missingSubcommand(err error) error {
	var pe *kong.ParseError
	if !errors.As(err, &pe) || pe.Context == nil || !strings.HasPrefix(err.Error(), "expected one of") {
		return err
	}
	n := pe.Context.Selected()
	if n == nil || len(n.Children) == 0 {
		return err
	}
	var names []string
	for _, c := range n.Children {
		if !c.Hidden {
			names = append(names, c.Name)
		}
	}
	return fmt.Errorf("%s needs one of: %s", n.Path(), strings.Join(names, ", "))
}

// helpCommand names the command whose help fits a parse error:
// "authwrap exec" for a bad flag of exec, "authwrap" when none was chosen.
func helpCommand(err error) string {
	var pe *kong.ParseError
	if errors.As(err, &pe) && pe.Context != nil {
		if n := pe.Context.Selected(); n != nil {
			return selfCommand() + " " + n.Path()
		}
	}
	return selfCommand()
}

// runCommand runs the parsed command with a context that a signal cancels,
// and turns its error into a message and an exit status.
func runCommand(kctx *kong.Context, g *Globals, stderr io.Writer) int {
	g.given = map[string]bool{}
	for _, el := range kctx.Path {
		if el.Flag != nil {
			g.given[el.Flag.Name] = true
		}
	}
	top := kctx.Selected()
	for top.Parent != nil && top.Parent.Type != kong.ApplicationNode {
		top = top.Parent
	}
	hot := false
	for _, c := range commands {
		if c.name == top.Name {
			hot = c.hot
		}
	}
	return execute(g, stderr, !hot, func(ctx context.Context) error {
		// The command's Run, called directly where its shape allows
		// (kong's Run finds it by reflection); kong for the others.
		switch cmd := kctx.Selected().Target.Addr().Interface().(type) {
		case interface {
			Run(context.Context, *Globals) error
		}:
			return cmd.Run(ctx, g)
		case interface{ Run(*Globals) error }:
			return cmd.Run(g)
		}
		kctx.BindTo(ctx, (*context.Context)(nil))
		return kctx.Run(g)
	})
}

// execute runs a command with a context that a signal cancels, and turns
// its error into a message and an exit status. With catchNow the signals
// are caught from the start, else from the first wait (signalContext).
func execute(g *Globals, stderr io.Writer, catchNow bool, run func(ctx context.Context) error) int {
	ctx, stop := newSignalContext()
	defer stop()
	if catchNow {
		ctx.catch()
	}
	err := run(ctx)
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) && ee.quiet {
		return ee.code
	}
	// A signal cancels ctx; a prompt that saw the same signal first (the
	// passphrase) says so itself, before ctx may be cancelled.
	var intr *interrupted
	var se *term.SignalError
	if errors.As(err, &se) {
		intr = &interrupted{se.Signal}
	}
	if intr != nil || errors.As(err, &intr) || errors.As(context.Cause(ctx), &intr) {
		fmt.Fprintln(stderr, "\nauthwrap: interrupted; nothing was stored")
		return intr.exitCode()
	}
	fmt.Fprintf(stderr, "authwrap: error: %s\n", oneLine(describe(err)))
	if h := g.hint(err); h != "" {
		fmt.Fprintf(stderr, "authwrap: hint: %s\n", h)
	}
	var oce *helper.OrganizationChoiceError
	if errors.As(err, &oce) {
		fmt.Fprintln(stderr, "authwrap: the organizations offered (name, then ID):")
		for _, line := range oce.Choices() {
			fmt.Fprintf(stderr, "authwrap:   %s\n", line)
		}
	}
	if ee != nil {
		return ee.code
	}
	return 1
}

// describe says what happened in a person's words where the error is a
// known ending of a sign-in (the server's code is then noise), else the
// error as it is.
func describe(err error) string {
	var ue *url.Error
	switch {
	case errors.Is(err, flow.ErrAccessDenied) && !atDeviceStart(err):
		return "the sign-in was denied in the browser; nothing was stored"
	case errors.Is(err, flow.ErrExpiredToken):
		return "the sign-in code expired before it was approved; nothing was stored"
	case flow.IsTransient(err) && errors.As(err, &ue) && errors.As(err, new(*net.OpError)):
		// Go's text repeats the URL with the method: said once (by flow's
		// "cannot reach URL"), with the network's cause alone.
		var ne *net.OpError
		errors.As(ue, &ne)
		cause, via := error(ne), ""
		for next := errors.Unwrap(cause); next != nil; next = errors.Unwrap(cause) {
			cause = next
		}
		if ne.Op == "proxyconnect" {
			via = " (through the proxy HTTPS_PROXY names)"
			if req, err := http.NewRequest(http.MethodGet, ue.URL, nil); err == nil {
				if p, err := http.ProxyFromEnvironment(req); err == nil && p != nil {
					via = " (through the proxy " + p.Scheme + "://" + p.Host + ")" // never its user info
				}
			}
		}
		return strings.Replace(err.Error(), ue.Error(), fmt.Sprintf("%v%s", cause, via), 1)
	}
	return err.Error()
}

// atDeviceStart reports whether the server's answer came from the device
// authorization endpoint, where access_denied means the application may
// not start a sign-in (CLI Auth off), not that a person denied one.
func atDeviceStart(err error) bool {
	var fe *flow.Error
	return errors.As(err, &fe) && strings.Contains(fe.Endpoint, "device")
}

// endsSignIn reports whether err is a sign-in the person ended or let
// expire: git must not then ask for a password instead (quit=1).
func endsSignIn(err error) bool {
	var intr *interrupted
	var se *term.SignalError
	return (errors.Is(err, flow.ErrAccessDenied) && !atDeviceStart(err)) || errors.Is(err, flow.ErrExpiredToken) ||
		errors.As(err, &intr) || errors.As(err, &se) || errors.Is(err, context.Canceled)
}

// hint says what to do about an error a person can fix, or "".
func (g *Globals) hint(err error) string {
	var ce *flow.CertificateError
	switch {
	case errors.As(err, &ce):
		return fmt.Sprintf("if %s uses a private CA or sits behind a TLS-inspecting proxy, pass its CA certificate with --ca-file FILE or AUTHWRAP_CA_FILE", ce.Host)
	case errors.As(err, new(*helper.MachineGrantError)):
		return g.machineHint(err)
	case errors.Is(err, flow.ErrM2MNeedsIssuer):
		return fmt.Sprintf("set the profile's issuer to the AuthKit domain: `%s config set%s issuer https://NAME.authkit.app` (or AUTHWRAP_ISSUER)",
			selfCommand(), profileArg(cmp.Or(g.resolvedProfile, g.Profile)))
	case errors.Is(err, flow.ErrInvalidClient):
		return fmt.Sprintf("the server does not know client %s, which came from %s: copy the client ID of the application with CLI Auth enabled from the WorkOS dashboard",
			g.resolvedClient, g.clientSource())
	case errors.Is(err, helper.ErrKeyringLocked):
		return "unlock the keyring: on a desktop, in its session; over SSH, `gnome-keyring-daemon --replace --unlock` reads the keyring's password on stdin; or pick another backend with --keyring-backend"
	case errors.Is(err, helper.ErrKeyringFull):
		return "the session stored before is kept; make room (a full disk, or the kernel key quota: see /proc/key-users and `keyctl show @u`) and try again"
	case errors.Is(err, helper.ErrWrongPassphrase):
		p := cmp.Or(g.resolvedProfile, g.Profile, helper.DefaultProfile)
		// The commands name the file keyring: it may have been chosen by
		// a flag for this run, and another backend's sessions are not
		// the ones to delete.
		return fmt.Sprintf("check AUTHWRAP_FILE_PASSPHRASE (or what was typed); if the passphrase is lost, `%s logout --all --keyring-backend file` deletes the sessions it protects (every profile's: they share the file keyring) and `%s login%s --keyring-backend file` stores a new one under the passphrase given now", selfCommand(), selfCommand(), profileArg(p))
	case errors.Is(err, helper.ErrPassphraseMismatch):
		return "run it again and type the same passphrase twice"
	case errors.As(err, new(*helper.OrganizationChoiceError)):
		var oce *helper.OrganizationChoiceError
		errors.As(err, &oce)
		return fmt.Sprintf("run `%s login%s --organization ORG` with one of the organizations below, or `%s config set%s organization ORG`",
			selfCommand(), profileArg(oce.Profile), selfCommand(), profileArg(oce.Profile))
	case errors.As(err, new(*helper.OrganizationNameError)):
		var one *helper.OrganizationNameError
		errors.As(err, &one)
		if one.Current != "" {
			return fmt.Sprintf("name the organization by its ID: `%s config set%s organization %s` keeps the one the sign-in landed in", selfCommand(), profileArg(cmp.Or(g.resolvedProfile, g.Profile)), integrate.ShellWord(one.Current))
		}
		return fmt.Sprintf("name the organization by its ID (org_...): `%s switch-org ORG_ID`", selfCommand())
	case errors.As(err, new(*helper.NotSignedInError)):
		var ne *helper.NotSignedInError
		errors.As(err, &ne)
		return fmt.Sprintf("run `%s login%s`", selfCommand(), profileArg(ne.Profile))
	case errors.As(err, new(*helper.CorruptError)):
		var ce *helper.CorruptError
		errors.As(err, &ce)
		return fmt.Sprintf("run `%s logout%s` and sign in again", selfCommand(), profileArg(ce.Profile))
	case errors.Is(err, config.ErrNoClientID), errors.Is(err, config.ErrNoProfile):
		var pe *config.ProfileError
		errors.As(err, &pe)
		return fmt.Sprintf("save the client ID of your AuthKit app (WorkOS dashboard: Applications, with CLI Auth enabled): `%s config set%s client_id CLIENT_ID`, or sign in with it: `%s login%s --client-id CLIENT_ID`",
			selfCommand(), profileArg(pe.Profile), selfCommand(), profileArg(pe.Profile))
	case errors.Is(err, flow.ErrAccessDenied) && atDeviceStart(err):
		return "the application may not start a sign-in: enable CLI Auth for it in the WorkOS dashboard, and check the client ID belongs to that environment"
	case errors.Is(err, flow.ErrAccessDenied), errors.Is(err, flow.ErrExpiredToken):
		return fmt.Sprintf("run `%s login%s` to try again", selfCommand(), profileArg(cmp.Or(g.resolvedProfile, g.Profile)))
	case flow.IsTransient(err) && errors.As(err, new(*net.OpError)):
		if src := g.serverSource(); src != "" {
			return fmt.Sprintf("is the server up, and is %s right? `%s` checks both", src, g.doctorCommand())
		}
		return fmt.Sprintf("is the server up, and is the profile's server right (`%s%s config list%s` shows api_url or issuer)? %s doctor checks both",
			selfCommand(), g.whereArgs(), profileArg(cmp.Or(g.resolvedProfile, g.Profile)), selfCommand())
	case errors.Is(err, syscall.EADDRINUSE):
		// Only dev-server listens on a TCP port.
		return fmt.Sprintf("another program listens on that address (a dev-server started before?): stop it, or let the system pick a free port: `%s dev-server --addr 127.0.0.1:0`", selfCommand())
	case errors.Is(err, helper.ErrStateDir):
		return "authwrap keeps its lock files in $XDG_STATE_HOME/authwrap (default ~/.local/state/authwrap): make it writable, or point XDG_STATE_HOME at a directory that is"
	}
	return ""
}

// explain is err and its hint on one line, for the places that take one
// message (cargo's error answer, status's problem).
func (g *Globals) explain(err error) string {
	msg := oneLine(describe(err))
	if h := g.hint(err); h != "" {
		msg += ": " + h
	}
	return msg
}

// oneLine keeps an error message on one line, so scripts get one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}

// noPrompt reports whether the environment forbids prompting: scripts
// and CI must fail fast instead of waiting for a person.
func noPrompt() bool {
	return os.Getenv("AUTHWRAP_NO_PROMPT") == "1" || os.Getenv("GIT_TERMINAL_PROMPT") == "0" ||
		isCI()
}

// loadConfig reads the configuration file (--config, AUTHWRAP_CONFIG, or
// the default path), and prepares the HTTP client.
func (g *Globals) loadConfig() (*config.Config, error) {
	var err error
	if g.client, err = g.httpClient(); err != nil {
		return nil, err
	}
	if g.Config != "" && !g.mayCreateConfig {
		if _, err := os.Stat(g.Config); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("the configuration file %s (from --config or AUTHWRAP_CONFIG) does not exist", g.Config)
		}
	}
	return config.Load(g.configPath())
}

// serverSource names the flag or variable the chosen profile's server
// came from on this run, or "" when it is the configuration's.
func (g *Globals) serverSource() string {
	if g.resolvedProfile != "" && g.resolvedProfile != g.chosenProfile {
		return "" // the flags and variables did not apply to it
	}
	switch {
	case g.given["api-url"]:
		return "--api-url"
	case g.given["issuer"]:
		return "--issuer"
	case os.Getenv("AUTHWRAP_API_URL") != "":
		return "AUTHWRAP_API_URL"
	case os.Getenv("AUTHWRAP_ISSUER") != "":
		return "AUTHWRAP_ISSUER"
	}
	return ""
}

// givenArgs repeats those of the named global flags that were given on
// this run, for a command a hint prints: run in the same shell, it then
// sees what this run saw (the variables apply by themselves).
func (g *Globals) givenArgs(names ...string) string {
	values := map[string]string{"config": g.Config, "keyring-backend": g.KeyringBackend, "ca-file": g.CAFile,
		"client-id": g.ClientID, "api-url": g.APIURL, "issuer": g.Issuer}
	var s string
	for _, n := range names {
		if g.given[n] {
			s += " --" + n + " " + integrate.ShellWord(values[n])
		}
	}
	return s
}

// whereArgs repeats the flags that say where settings and sessions are.
func (g *Globals) whereArgs() string { return g.givenArgs("config", "keyring-backend", "ca-file") }

// doctorCommand is doctor run for the chosen profile with the server and
// client given as flags on this run.
func (g *Globals) doctorCommand() string {
	return selfCommand() + g.whereArgs() + profileArg(cmp.Or(g.resolvedProfile, g.Profile)) + " doctor" +
		g.givenArgs("client-id", "api-url", "issuer")
}

// clientSource says where the client ID in use came from, for messages.
func (g *Globals) clientSource() string {
	switch {
	case g.given["client-id"]:
		return "--client-id"
	case os.Getenv("AUTHWRAP_CLIENT_ID") != "":
		return "AUTHWRAP_CLIENT_ID"
	}
	return "client_id in " + g.configPath()
}

// resolve returns the named profile (the chosen one when empty) with the
// flags and environment laid over it.
//
// The flags and AUTHWRAP_CLIENT_ID, _API_URL, _ISSUER and _SCOPES apply
// to the chosen profile only (--profile, AUTHWRAP_PROFILE, else the
// config's default): a helper that serves another profile's host uses
// that profile's own settings, so a sign-in for it never goes to the
// server (or stores a session from the client) the environment names.
func (g *Globals) resolve(cfg *config.Config, name string) (*config.Entry, error) {
	chosen := cmp.Or(g.Profile, cfg.DefaultProfile, helper.DefaultProfile)
	g.chosenProfile = chosen
	name = cmp.Or(name, chosen)
	var override helper.Profile
	if name == chosen {
		override = helper.Profile{ClientID: g.ClientID, APIURL: g.APIURL,
			Issuer: g.Issuer, Scopes: strings.Fields(g.Scopes)}
	}
	e, err := cfg.Resolve(name, override)
	if e != nil && g.resolvedClient == "" {
		g.resolvedClient, g.resolvedProfile = e.ClientID, e.Name
	}
	if err == nil {
		err = g.machineSecret(e, name == chosen)
	}
	return e, err
}

// openStore opens the keyring backend the flags, environment or config name.
func (g *Globals) openStore(cfg *config.Config) (*helper.KeyringStore, error) {
	backend := g.KeyringBackend
	if backend == "" {
		backend = cfg.KeyringBackend
	}
	return helper.OpenStore(helper.StoreOptions{App: app, Backend: backend})
}

// manager wires a Manager for p.
func (g *Globals) manager(e *config.Entry, store helper.Store, prompter helper.Prompter) (*helper.Manager, error) {
	m, err := helper.New(helper.Options{App: app, Profile: e.Profile, Store: store, Prompter: prompter, NoPrompt: prompter == nil,
		HTTPClient: g.client, Notify: func(msg string) { fmt.Fprintf(g.stderr, "authwrap: %s\n", msg) }})
	if err != nil {
		return nil, err
	}
	if m.KeepWarm, _ = keepWarm(e, store); m.KeepWarm > 0 {
		m.StartKeeper = g.keeperStarter(m.Profile.Name)
	}
	return m, nil
}

// httpClient builds the client for the authorization server: the default
// transport (which honours HTTPS_PROXY and NO_PROXY), trusting the CAs
// in --ca-file as well as the system's, and checking the files
// SSL_CERT_FILE and SSL_CERT_DIR name as --ca-file is checked.
func (g *Globals) httpClient() (*http.Client, error) {
	if g.CAFile == "" && !g.Verbose && !certEnvSet() {
		return nil, nil
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if g.CAFile != "" {
		// The CAs decide which servers receive the refresh token: a file
		// another user could write is refused, as the config is, and
		// what is read is the file that was checked.
		pem, err := fsutil.ReadTrusted(g.CAFile)
		if err != nil {
			return nil, fmt.Errorf("--ca-file: %w", err)
		}
		// The system's pool reads SSL_CERT_FILE and SSL_CERT_DIR: the
		// same check first.
		if err := checkCertEnv(); err != nil {
			return nil, err
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--ca-file: no PEM certificates in %s", g.CAFile)
		}
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	var rt http.RoundTripper = tr
	if certEnvSet() && g.CAFile == "" {
		rt = &certEnvTransport{base: tr}
	}
	if g.Verbose {
		rt = &httplog.Transport{Base: rt, Log: func(line string) { fmt.Fprintf(g.stderr, "authwrap: %s\n", line) }}
	}
	return &http.Client{Transport: rt}, nil
}

// setup resolves the chosen profile and opens the store.
func (g *Globals) setup() (*helper.Manager, *helper.KeyringStore, error) {
	cfg, e, err := g.profile()
	if err != nil {
		return nil, nil, err
	}
	return g.managerFor(cfg, e)
}

// profile reads the configuration and resolves the chosen profile.
func (g *Globals) profile() (*config.Config, *config.Entry, error) {
	cfg, err := g.loadConfig()
	if err != nil {
		return nil, nil, err
	}
	e, err := g.resolve(cfg, "")
	if err != nil {
		return nil, nil, err
	}
	return cfg, e, nil
}

// managerFor opens the store and wires a Manager for e.
func (g *Globals) managerFor(cfg *config.Config, e *config.Entry) (*helper.Manager, *helper.KeyringStore, error) {
	store, err := g.openStore(cfg)
	if err != nil {
		return nil, nil, err
	}
	m, err := g.manager(e, store, nil)
	return m, store, err
}

// terminalPrompter returns the prompt for an explicit login: on stderr,
// live when stderr is a terminal, reading choices (the organization menu)
// from the person's terminal then. The returned function releases it.
func (g *Globals) terminalPrompter(openBrowser bool) (*helper.TerminalPrompter, func()) {
	p := helper.NewTerminalPrompter(g.term)
	if !openBrowser {
		p.Open = nil
	}
	release := func() {}
	if p.Live {
		if c, err := term.OpenConsole(); err == nil {
			p.Input, release = c.In, func() { c.Close() }
		}
	}
	return p, release
}

// ttyPrompter is a prompt that shows on, and reads from, the person's
// terminal (the controlling terminal, or the Windows console), whatever
// stderr is; ok is false when there is no terminal.
func ttyPrompter(openBrowser bool) (p *helper.TerminalPrompter, release func(), ok bool) {
	c, err := term.OpenConsole()
	if err != nil {
		return nil, nil, false
	}
	p = helper.NewTerminalPrompter(c.Out)
	p.Input = c.In
	if !openBrowser {
		p.Open = nil
	}
	return p, func() { c.Close() }, true
}

// loginPrompter is the prompt of an explicit login: on stderr when it is
// a terminal; else on the controlling terminal, when there is one and
// prompting is allowed (`login 2>/dev/null` still shows it); else plain
// lines on stderr. The returned function releases the terminal.
func (g *Globals) loginPrompter(openBrowser bool) (*helper.TerminalPrompter, func()) {
	if !term.IsTerminal(g.term) && !noPrompt() {
		if p, release, ok := ttyPrompter(openBrowser); ok {
			return p, release
		}
	}
	return g.terminalPrompter(openBrowser)
}

// tokenOnDemand returns m's token; with prompt set it may sign in on
// demand, shown where onDemandPrompter says. The returned function
// releases the terminal: exec --serve keeps it for its endpoint.
func (g *Globals) tokenOnDemand(ctx context.Context, m *helper.Manager, minTTL time.Duration, prompt bool) (*helper.Session, func(), error) {
	release := func() {}
	if prompt {
		m.Prompter, release = g.onDemandPrompter()
	}
	s, err := m.Token(ctx, minTTL)
	if err != nil {
		release()
		return nil, nil, err
	}
	return s, release, nil
}

// warnUnmetMinTTL says, once, when --min-ttl asks for more than the
// server's tokens live: Token then hands out the freshest there is and
// refreshes only after a token's first tenth of life (Session.Fresh),
// which would otherwise happen silently.
func (g *Globals) warnUnmetMinTTL(minTTL time.Duration, s *helper.Session) {
	life := s.Expiry.Sub(s.Issued)
	if s.Issued.IsZero() || life <= 0 || minTTL <= life {
		return
	}
	asked := "--min-ttl " + minTTL.String()
	if !g.given["min-ttl"] {
		asked += " (the default)"
	}
	fmt.Fprintf(g.stderr, "authwrap: warning: tokens from this server live %s; %s cannot be met: a token is refreshed once past the first tenth of its life (%s), and the new one lives %s\n",
		life.Round(time.Second), asked, (life / 10).Round(time.Second), life.Round(time.Second))
}

// onDemandPrompter returns a prompt for a sign-in the caller did not ask
// for explicitly (token with no session), or nil when no person can see
// one: it goes to the controlling terminal, else to stderr if that is a
// terminal, and never when AUTHWRAP_NO_PROMPT=1, GIT_TERMINAL_PROMPT=0 or
// CI=true. The returned function releases the terminal.
func (g *Globals) onDemandPrompter() (helper.Prompter, func()) {
	if noPrompt() {
		return nil, func() {}
	}
	if p, release, ok := ttyPrompter(true); ok {
		return p, release
	}
	if term.IsTerminal(g.term) {
		return g.terminalPrompter(true)
	}
	return nil, func() {}
}
