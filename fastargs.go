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
// kubectl, Terraform, scripts), are parsed here without kong: building
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

// globalFlags maps each global flag's spellings to its field.
func (g *Globals) fastFlag(name string) (set func(string) bool, isBool bool) {
	str := func(p *string) func(string) bool { return func(v string) bool { *p = v; return true } }
	path := func(p *string) func(string) bool {
		return func(v string) bool { *p = kong.ExpandPath(v); return true }
	}
	switch name {
	case "--profile", "-p":
		return str(&g.Profile), false
	case "--client-id":
		return str(&g.ClientID), false
	case "--api-url":
		return str(&g.APIURL), false
	case "--issuer":
		return str(&g.Issuer), false
	case "--scopes":
		return str(&g.Scopes), false
	case "--keyring-backend":
		return str(&g.KeyringBackend), false
	case "--config":
		return path(&g.Config), false
	case "--ca-file":
		return path(&g.CAFile), false
	case "--verbose", "-v":
		return func(v string) bool {
			b, ok := kongBool(v)
			g.Verbose = b
			return ok
		}, true
	}
	return nil, false
}

// globalEnv lays the environment under the global flags not given, as
// kong does; false for a value kong would refuse.
func (g *Globals) fastEnv(given map[string]bool) bool {
	for _, e := range []struct {
		flag, env string
	}{
		{"--profile", "AUTHWRAP_PROFILE"}, {"--client-id", "AUTHWRAP_CLIENT_ID"}, {"--api-url", "AUTHWRAP_API_URL"},
		{"--issuer", "AUTHWRAP_ISSUER"}, {"--scopes", "AUTHWRAP_SCOPES"}, {"--keyring-backend", "AUTHWRAP_KEYRING_BACKEND"},
		{"--config", "AUTHWRAP_CONFIG"}, {"--ca-file", "AUTHWRAP_CA_FILE"}, {"--verbose", "AUTHWRAP_VERBOSE"},
	} {
		v, ok := os.LookupEnv(e.env)
		if !ok {
			continue
		}
		if given[e.flag] {
			// kong reads the variable even then, and refuses a bad one.
			if _, isBool := g.fastFlag(e.flag); isBool {
				if _, ok := kongBool(v); !ok {
					return false
				}
			}
			continue
		}
		set, _ := g.fastFlag(e.flag)
		if !set(v) {
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
	case "git-credential", "docker-credential", "terraform-credentials", "kubectl-credential", "version":
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
		if set, isBool := g.fastFlag(flag); set != nil {
			if given[flag] || given[canonical(flag)] {
				return nil, nil, false
			}
			if !hasValue {
				if isBool {
					value = "true"
				} else if i+1 < len(args) {
					i++
					value = args[i]
				} else {
					return nil, nil, false
				}
			}
			if !set(value) {
				return nil, nil, false
			}
			given[canonical(flag)] = true
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

// canonical is a flag's long spelling.
func canonical(flag string) string {
	switch flag {
	case "-p":
		return "--profile"
	case "-v":
		return "--verbose"
	}
	return flag
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
	return execute(g, g.stderr, func(ctx context.Context) error { return cmd.run(ctx, g) }), true
}
