package main

import (
	"context"
	"io"
	"os"
	"strings"
	"time"

	"github.com/alecthomas/kong"

	"github.com/authwrap/authwrap/internal/safetext"
)

// The commands programs run authwrap as, many times a minute (git, docker,
// kubectl, Terraform, cargo, the go command, pip, scripts), are parsed here without kong: building
// kong's model from the command structs costs more than the rest of a
// cached read. fastArgs takes only a command line it understands
// completely (the global flags and the command's own, spelled as kong
// spells them, and their environment variables); anything else (help, an
// unknown or malformed flag, --version) is left to kong, for its messages.
// TestFastArgsAgreeWithKong holds the two to the same answers.

// fastCommand is a command fastArgs parsed, ready to run.
type fastCommand struct {
	// name is the command's name; value its struct, as kong would fill it.
	name  string
	value any
	run   func(ctx context.Context, g *Globals) error
}

// globalFlag is one global flag as kong takes it: its spellings, its
// variable, and how a value sets it (false for one kong would refuse).
type globalFlag struct {
	long, short, env string
	isBool           bool
	set              func(g *Globals, v string) bool
}

// globalFlags are Globals' flags (TestFastArgsAgreeWithKong holds this
// table to the struct's tags).
var globalFlags = []globalFlag{
	{long: "--profile", short: "-p", env: "AUTHWRAP_PROFILE", set: func(g *Globals, v string) bool { g.Profile = v; return true }},
	{long: "--client-id", env: "AUTHWRAP_CLIENT_ID", set: func(g *Globals, v string) bool { g.ClientID = v; return true }},
	{long: "--api-url", env: "AUTHWRAP_API_URL", set: func(g *Globals, v string) bool { g.APIURL = v; return true }},
	{long: "--issuer", env: "AUTHWRAP_ISSUER", set: func(g *Globals, v string) bool { g.Issuer = v; return true }},
	{long: "--scopes", env: "AUTHWRAP_SCOPES", set: func(g *Globals, v string) bool { g.Scopes = v; return true }},
	{long: "--keyring-backend", env: "AUTHWRAP_KEYRING_BACKEND", set: func(g *Globals, v string) bool { g.KeyringBackend = v; return true }},
	{long: "--config", env: "AUTHWRAP_CONFIG", set: func(g *Globals, v string) bool { g.Config = kong.ExpandPath(v); return true }},
	{long: "--ca-file", env: "AUTHWRAP_CA_FILE", set: func(g *Globals, v string) bool { g.CAFile = kong.ExpandPath(v); return true }},
	{long: "--verbose", short: "-v", env: "AUTHWRAP_VERBOSE", isBool: true, set: func(g *Globals, v string) bool {
		b, ok := kongBool(v)
		g.Verbose = b
		return ok
	}},
}

// findGlobal returns the global flag spelled name, or nil.
func findGlobal(name string) *globalFlag {
	for i := range globalFlags {
		if f := &globalFlags[i]; name == f.long || (name == f.short && f.short != "") {
			return f
		}
	}
	return nil
}

// fastEnv lays the environment under the global flags not given, as
// kong does; false for a value kong would refuse.
func (g *Globals) fastEnv(given map[string]bool) bool {
	for _, f := range globalFlags {
		v, ok := os.LookupEnv(f.env)
		switch {
		case !ok:
		case given[f.long]:
			// kong reads the variable even then, and refuses a bad one.
			if _, valid := kongBool(v); f.isBool && !valid {
				return false
			}
		case !f.set(g, v):
			return false
		}
	}
	return true
}

// fastArgs parses args for the commands programs run. ok is false for
// anything it does not fully understand.
func fastArgs(args []string) (g *Globals, cmd *fastCommand, ok bool) {
	if len(args) == 0 {
		return nil, nil, false
	}
	g = &Globals{}
	given := map[string]bool{}
	var positional []string
	local := map[string]string{} // the command's own flags
	localBool := map[string]bool{}
	name := args[0]
	var wantLocal func(flag string) (known, isBool bool)
	switch name {
	case "token":
		wantLocal = func(f string) (bool, bool) {
			switch f {
			case "--min-ttl":
				return true, false
			case "--json":
				return true, true
			}
			return false, false
		}
	case "exec":
		wantLocal = func(f string) (bool, bool) {
			switch f {
			case "--env", "--terraform-host", "--min-ttl":
				return true, false
			case "--serve", "--allow-nested":
				return true, true
			}
			return false, false
		}
	case "cargo-credential":
		wantLocal = func(f string) (bool, bool) {
			return f == "--bearer" || f == "--cargo-plugin", true
		}
	case "git-credential", "docker-credential", "terraform-credentials", "kubectl-credential", "goauth", "keyring", "version":
		wantLocal = func(string) (bool, bool) { return false, false }
	default:
		return nil, nil, false
	}
	var slices map[string][]string // exec's repeatable flags
	for i := 1; i < len(args); i++ {
		a := args[i]
		if a == "--" || a == "-" || !strings.HasPrefix(a, "-") {
			if name == "exec" {
				// The command and everything after it are the command's
				// (kong keeps a leading --; exec drops it).
				positional = append(positional, args[i:]...)
				break
			}
			if a == "--" {
				positional = append(positional, args[i+1:]...)
				break
			}
			positional = append(positional, a)
			continue
		}
		flag, value, hasValue := strings.Cut(a, "=")
		if strings.HasPrefix(flag, "-") && !strings.HasPrefix(flag, "--") && len(flag) != 2 {
			return nil, nil, false // -pNAME, -vp: kong's business
		}
		if f := findGlobal(flag); f != nil {
			if given[f.long] {
				return nil, nil, false
			}
			if !hasValue {
				if f.isBool {
					value = "true"
				} else if i+1 < len(args) {
					i++
					value = args[i]
				} else {
					return nil, nil, false
				}
			}
			if !f.set(g, value) {
				return nil, nil, false
			}
			given[f.long] = true
			continue
		}
		known, isBool := wantLocal(flag)
		if !known {
			return nil, nil, false // --help, --version, a typo: kong says
		}
		if flag == "--env" || flag == "--terraform-host" {
			if !hasValue {
				if i+1 >= len(args) {
					return nil, nil, false
				}
				i++
				value = args[i]
			}
			if slices == nil {
				slices = map[string][]string{}
			}
			slices[flag] = append(slices[flag], kong.SplitEscaped(value, ',')...)
			continue
		}
		if _, dup := local[flag]; dup || localBool[flag] {
			return nil, nil, false
		}
		switch {
		case isBool && hasValue:
			b, ok := kongBool(value)
			if !ok {
				return nil, nil, false
			}
			localBool[flag] = b
		case isBool:
			localBool[flag] = true
		case hasValue:
			local[flag] = value
		case i+1 < len(args):
			i++
			local[flag] = args[i]
		default:
			return nil, nil, false
		}
	}
	if !g.fastEnv(given) {
		return nil, nil, false
	}
	var run func(ctx context.Context, g *Globals) error
	var value any
	switch name {
	case "token":
		c := &TokenCmd{MinTTL: 30 * time.Second, JSON: localBool["--json"]}
		if v, ok := local["--min-ttl"]; ok {
			d, err := time.ParseDuration(v)
			if err != nil {
				return nil, nil, false
			}
			c.MinTTL = d
		}
		if len(positional) != 0 {
			return nil, nil, false
		}
		run, value = c.Run, c
	case "exec":
		c := &ExecCmd{MinTTL: 5 * time.Minute, Env: slices["--env"], TerraformHost: slices["--terraform-host"],
			Serve: localBool["--serve"], AllowNested: localBool["--allow-nested"], Command: positional}
		if v, ok := local["--min-ttl"]; ok {
			d, err := time.ParseDuration(v)
			if err != nil {
				return nil, nil, false
			}
			c.MinTTL = d
		}
		run, value = c.Run, c
	case "git-credential":
		if len(positional) != 1 {
			return nil, nil, false
		}
		c := &GitCredentialCmd{Operation: positional[0]}
		run, value = c.Run, c
	case "docker-credential":
		if len(positional) != 1 {
			return nil, nil, false
		}
		c := &DockerCredentialCmd{Action: positional[0]}
		run, value = c.Run, c
	case "terraform-credentials":
		if len(positional) != 2 || (positional[0] != "get" && positional[0] != "store" && positional[0] != "forget") {
			return nil, nil, false
		}
		c := &TerraformCredentialsCmd{Operation: positional[0], Host: positional[1]}
		run, value = c.Run, c
	case "kubectl-credential":
		if len(positional) != 0 {
			return nil, nil, false
		}
		c := &KubectlCredentialCmd{}
		run, value = c.Run, c
	case "cargo-credential":
		if len(positional) != 0 {
			return nil, nil, false
		}
		c := &CargoCredentialCmd{Bearer: localBool["--bearer"], CargoPlugin: localBool["--cargo-plugin"]}
		run, value = c.Run, c
	case "goauth":
		if len(positional) > 1 {
			return nil, nil, false
		}
		c := &GoAuthCmd{}
		if len(positional) == 1 {
			c.URL = positional[0]
		}
		run, value = c.Run, c
	case "keyring":
		if len(positional) < 1 || len(positional) > 3 {
			return nil, nil, false
		}
		c := &KeyringCmd{Operation: positional[0]}
		if len(positional) > 1 {
			c.Service = positional[1]
		}
		if len(positional) > 2 {
			c.Username = positional[2]
		}
		run, value = c.Run, c
	case "version":
		if len(positional) != 0 {
			return nil, nil, false
		}
		c := &VersionCmd{}
		run, value = func(_ context.Context, g *Globals) error { return c.Run(g) }, c
	}
	g.given = map[string]bool{}
	for f := range given {
		g.given[strings.TrimPrefix(f, "--")] = true
	}
	return g, &fastCommand{name: name, value: value, run: run}, true
}

// kongBool reads a boolean as kong does: true, 1 or yes; false, 0 or no.
func kongBool(v string) (b, ok bool) {
	switch v {
	case "true", "1", "yes":
		return true, true
	case "false", "0", "no":
		return false, true
	}
	return false, false
}

// runFast runs a command fastArgs understood; ok is false otherwise.
func runFast(args []string, stdout, stderr io.Writer) (int, bool) {
	if os.Getenv("COMP_LINE") != "" {
		return 0, false // a shell asking for completions: kong's
	}
	g, cmd, ok := fastArgs(args)
	if !ok {
		return 0, false
	}
	g.stdout, g.stderr, g.term = stdout, safetext.Writer{W: stderr}, stderr
	return execute(g, g.stderr, false, func(ctx context.Context) error { return cmd.run(ctx, g) }), true
}
