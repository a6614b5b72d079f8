package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/authwrap/authwrap/internal/config"
	"github.com/authwrap/authwrap/internal/credhelper"
	"github.com/authwrap/authwrap/internal/integrate"
	"github.com/authwrap/authwrap/protocol"
)

// CargoCredentialCmd is cargo's credential provider.
type CargoCredentialCmd struct {
	Bearer      bool `help:"Send \"Bearer TOKEN\" rather than the token alone (cargo sends the answer as the Authorization header as it is)."`
	CargoPlugin bool `name:"cargo-plugin" hidden:"" help:"Added by cargo to every run."`
}

// Run speaks cargo's credential provider protocol on stdin and stdout:
// the hello, then an answer to each request until cargo closes stdin.
// The provider's arguments from cargo's configuration come in the
// requests (cargo runs the program with --cargo-plugin alone): the
// profile (--profile) and --bearer are read from the first.
func (c *CargoCredentialCmd) Run(ctx context.Context, g *Globals) error {
	if err := protocol.WriteCargoHello(g.stdout); err != nil {
		return err
	}
	var (
		b    *credhelper.Broker
		berr error
	)
	r := protocol.NewCargoReader(os.Stdin)
	for {
		req, err := r.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			_ = protocol.WriteCargoError(g.stdout, protocol.CargoOther, g.explain(err))
			return &exitError{code: 1, err: err, quiet: true}
		}
		if b == nil && berr == nil {
			berr = c.applyArgs(g, req.Args)
			if berr == nil {
				var release func()
				if b, release, berr = g.broker(true); berr == nil {
					defer release()
				}
			}
		}
		if berr != nil {
			_ = protocol.WriteCargoError(g.stdout, protocol.CargoOther, oneLine(berr.Error()))
			continue
		}
		if err := c.answer(ctx, g, b, req); err != nil {
			return err
		}
	}
}

// applyArgs takes the provider's arguments from cargo's configuration
// (credential-provider = ["authwrap", "cargo-credential", ARGS...]):
// --bearer and --profile NAME (or -p NAME, --profile=NAME).
func (c *CargoCredentialCmd) applyArgs(g *Globals, args []string) error {
	if len(args) > 0 && args[0] == "cargo-credential" {
		args = args[1:]
	}
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "--bearer":
			c.Bearer = true
		case (a == "--profile" || a == "-p") && i+1 < len(args):
			g.Profile = args[i+1]
			i++
		case strings.HasPrefix(a, "--profile="):
			g.Profile = strings.TrimPrefix(a, "--profile=")
		default:
			return fmt.Errorf("authwrap cargo-credential: unknown argument %.40q in cargo's credential-provider (it takes --bearer and --profile NAME)", a)
		}
	}
	return nil
}

// answer answers one request; only a failure to write ends the run.
func (c *CargoCredentialCmd) answer(ctx context.Context, g *Globals, b *credhelper.Broker, req *protocol.CargoRequest) error {
	var err error
	switch req.Kind {
	case "get":
		var tok protocol.CargoToken
		if tok, err = b.CargoToken(ctx, req.Registry.IndexURL, c.Bearer); err == nil {
			return protocol.WriteCargoToken(g.stdout, tok)
		}
	case "login":
		if err = b.CargoLogin(ctx, req.Registry.IndexURL, req.Token.Reveal()); err == nil {
			return protocol.WriteCargoDone(g.stdout, "login")
		}
	case "logout":
		err = b.CargoLogout(req.Registry.IndexURL)
	}
	if err = quietIfNotOurs(g.stderr, err); err == nil {
		// Not a registry authwrap serves: cargo asks its next provider.
		return protocol.WriteCargoError(g.stdout, protocol.CargoURLNotSupported, "")
	}
	return protocol.WriteCargoError(g.stdout, protocol.CargoOther, g.explain(err))
}

// GoAuthCmd is a GOAUTH command for the go command.
type GoAuthCmd struct {
	URL string `arg:"" optional:"" help:"The URL the server refused (the go command's retry; the response is on stdin)."`
}

// Run prints the Authorization header blocks the go command attaches to
// its HTTPS requests: for every host of every signed-in profile, or, on a
// retry after a refusal, a fresh token for the refused URL's host.
func (c *GoAuthCmd) Run(ctx context.Context, g *Globals) error {
	if c.URL == "" {
		b, release, err := g.broker(false)
		if err != nil {
			return err
		}
		defer release()
		blocks, skipped := b.GoAuthAll(ctx)
		for _, name := range slices.Sorted(maps.Keys(skipped)) {
			fmt.Fprintf(g.stderr, "authwrap: goauth: no token from profile %s: %s\n", name, g.explain(skipped[name]))
		}
		return protocol.WriteGoAuth(g.stdout, blocks)
	}
	resp, err := protocol.ReadGoAuthResponse(os.Stdin)
	if err != nil {
		return err
	}
	b, release, err := g.broker(true)
	if err != nil {
		return err
	}
	defer release()
	blocks, err := b.GoAuthRetry(ctx, c.URL, resp.Status)
	if err != nil {
		return quietIfNotOurs(g.stderr, err) // not authwrap's host: nothing to add
	}
	return protocol.WriteGoAuth(g.stdout, blocks)
}

// KeyringCmd is pip's and uv's keyring subprocess provider.
type KeyringCmd struct {
	Operation string `arg:"" help:"get (set and del are refused: authwrap issues its own tokens)."`
	Service   string `arg:"" optional:"" help:"The index URL or its host."`
	Username  string `arg:"" optional:"" help:"The username from the index URL."`
}

// Run answers `keyring get SERVICE USERNAME`: the token on stdout when a
// profile lists the host and the username is its own; otherwise nothing
// and exit status 1, so that pip tries its other sources.
func (c *KeyringCmd) Run(ctx context.Context, g *Globals) error {
	none := &exitError{code: 1, quiet: true, err: errors.New("no credential")}
	if c.Operation != "get" || c.Service == "" || c.Username == "" {
		return none
	}
	b, release, err := g.broker(true)
	if err != nil {
		return err
	}
	defer release()
	tok, err := b.KeyringGet(ctx, c.Service, c.Username)
	if err != nil {
		if err = quietIfNotOurs(g.stderr, err); err == nil {
			return none
		}
		return err
	}
	_, err = fmt.Fprintln(g.stdout, tok)
	return err
}

// SetupCargoCmd makes a cargo registry get its token from authwrap.
type SetupCargoCmd struct {
	Registry string `required:"" help:"The registry's name in cargo's configuration."`
	Index    string `help:"The registry's index URL (sparse+https://host/path/); needed unless the registry is already configured."`
	Bearer   bool   `help:"Send \"Bearer TOKEN\" (for registries that want that form) rather than the token alone."`
	Remove   bool   `help:"Undo: take authwrap out as the registry's credential provider."`
}

// Run edits cargo's configuration and binds the registry's host.
func (c *SetupCargoCmd) Run(g *Globals) error {
	cargo := integrate.Cargo{Path: integrate.CargoConfigPath()}
	index := c.Index
	if index == "" {
		var err error
		if index, err = cargo.Index(c.Registry); err != nil {
			return err
		}
	}
	if index == "" {
		return fmt.Errorf("registry %s is not in %s: pass --index", c.Registry, cargo.Path)
	}
	return g.setupTool(toolSetup{tool: cargo.Name(), target: protocol.CargoIndexURL(index), verb: "cargo now gets", remove: c.Remove,
		subject: func(t credhelper.Target) string { return "registry " + c.Registry + " (" + t.Host + ")" },
		detail:  func(*config.Entry) string { return "in " + cargo.Path + "; " },
		add: func(*config.Entry, credhelper.Target) error {
			exe, err := selfPath()
			if err != nil {
				return err
			}
			provider := []string{exe, "cargo-credential"}
			if c.Bearer {
				provider = append(provider, "--bearer")
			}
			if g.Profile != "" {
				provider = append(provider, "--profile", g.Profile)
			}
			return cargo.Configure(c.Registry, c.Index, provider)
		},
		undo: func(*config.Entry, credhelper.Target) error {
			if err := cargo.Remove(c.Registry); err != nil {
				return err
			}
			fmt.Fprintf(g.stderr, "authwrap: cargo no longer asks authwrap for registry %s (%s)\n", c.Registry, cargo.Path)
			return nil
		}})
}

// SetupGoCmd sets the go command's GOAUTH, GOPRIVATE and GONOSUMDB for a host.
type SetupGoCmd struct {
	Host   string `required:"" help:"The host that serves private modules or a module proxy (host or host:port)."`
	Write  bool   `help:"Set the values with go env -w (added to what is there), rather than only print the command."`
	Remove bool   `help:"Undo: take the host out of the profile (GOAUTH stays: authwrap answers nothing for hosts it does not list)."`
}

// Run prints (or sets) the go environment and binds the host.
func (c *SetupGoCmd) Run(g *Globals) error {
	return g.setupTool(toolSetup{tool: integrate.GoEnv{}.Name(), target: c.Host, verb: "the go command now gets", remove: c.Remove,
		add: func(_ *config.Entry, t credhelper.Target) error { return c.goEnv(g, t) }})
}

// goEnv prints the go env -w line, or runs it with --write.
func (c *SetupGoCmd) goEnv(g *Globals, t credhelper.Target) error {
	exe, err := selfPath()
	if err != nil {
		return err
	}
	if strings.ContainsAny(exe, " \t") {
		return fmt.Errorf("GOAUTH splits its command at spaces, and authwrap's path has one (%s): install authwrap in a directory without spaces", exe)
	}
	goauth := exe + " goauth"
	if g.Profile != "" {
		goauth = exe + " --profile " + g.Profile + " goauth"
	}
	module, _, _ := strings.Cut(t.Host, ":") // module paths have no port
	if !c.Write {
		fmt.Fprintf(g.stdout, "go env -w 'GOAUTH=netrc;%s' GOPRIVATE=%s GONOSUMDB=%s\n", goauth, module, module)
		fmt.Fprintf(g.stderr, "authwrap: run the line above (it replaces GOAUTH, GOPRIVATE and GONOSUMDB), or `%s%s setup go --host %s --write` to add to them\n", selfCommand(), profileArg(g.Profile), integrate.ShellWord(c.Host))
		return nil
	}
	cur, err := integrate.GoEnvGet("GOAUTH")
	if err != nil {
		return err
	}
	if !integrate.IsAuthwrapGoAuth(cur) {
		if cur == "" || cur == "off" {
			cur = "netrc"
		}
		cur += ";" + goauth
	}
	private, _ := integrate.GoEnvGet("GOPRIVATE")
	nosum, _ := integrate.GoEnvGet("GONOSUMDB")
	if err := integrate.GoEnvSet("GOAUTH="+cur, "GOPRIVATE="+integrate.AddToList(private, module), "GONOSUMDB="+integrate.AddToList(nosum, module)); err != nil {
		return err
	}
	fmt.Fprintf(g.stderr, "authwrap: go env -w GOAUTH=%q GOPRIVATE and GONOSUMDB now include %s\n", cur, module)
	return nil
}

// SetupPipCmd makes pip and uv get the token for an index from authwrap.
type SetupPipCmd struct {
	Index   string `required:"" help:"The package index URL (https://host/simple/)."`
	LinkDir string `name:"link-dir" placeholder:"DIR" help:"Where to make the keyring command pip runs (default: authwrap's own directory, which is on PATH)."`
	Force   bool   `help:"Replace a keyring command there that is not authwrap (a Python keyring)."`
	Remove  bool   `help:"Undo: remove authwrap's keyring command and take the host out of the profile."`
}

// Run makes the keyring link, binds the host and prints pip's and uv's
// settings.
func (c *SetupPipCmd) Run(g *Globals) error {
	exe, err := selfPath()
	if err != nil {
		return err
	}
	dir := cmp.Or(c.LinkDir, filepath.Dir(exe))
	var path string
	return g.setupTool(toolSetup{tool: integrate.Pip{}.Name(), target: c.Index, verb: "pip and uv now get", remove: c.Remove,
		detail: func(*config.Entry) string { return "through " + path + "; " },
		add: func(*config.Entry, credhelper.Target) error {
			if path, err = integrate.InstallKeyring(exe, dir, c.Force); err != nil {
				return err
			}
			switch onPath, ours := (integrate.Pip{Self: exe}).KeyringOnPath(); {
			case onPath == "":
				fmt.Fprintf(g.stderr, "authwrap: warning: pip finds no keyring on PATH: add %s to PATH\n", dir)
			case !ours:
				fmt.Fprintf(g.stderr, "authwrap: warning: pip finds %s first on PATH, not %s: put %s before it\n", onPath, path, dir)
			}
			return nil
		},
		undo: func(*config.Entry, credhelper.Target) error {
			if err := integrate.RemoveKeyring(exe, dir); err != nil {
				return err
			}
			fmt.Fprintf(g.stderr, "authwrap: removed %s\n", filepath.Join(dir, integrate.HelperFile("keyring")))
			return nil
		},
		after: func(e *config.Entry, _ credhelper.Target) error {
			user := e.User()
			index := strings.Replace(c.Index, "://", "://"+user+"@", 1)
			fmt.Fprintf(g.stdout, "pip config set global.keyring-provider subprocess\npip config set global.index-url %s\n", index)
			fmt.Fprintf(g.stdout, "# uv: UV_KEYRING_PROVIDER=subprocess UV_INDEX_URL=%s (or [[tool.uv.index]] url = %q)\n", index, index)
			fmt.Fprintf(g.stderr, "authwrap: run the pip lines above (the username %s in the URL is what makes pip ask the keyring)\n", user)
			return nil
		}})
}
