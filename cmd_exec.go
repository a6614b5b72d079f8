package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/authwrap/authwrap/internal/appenv"
	"github.com/authwrap/authwrap/internal/credhelper"
	"github.com/authwrap/authwrap/internal/shell"
	"github.com/authwrap/authwrap/internal/term"
	"github.com/authwrap/authwrap/protocol"
)

// ExecCmd runs a command with a valid token in its environment.
type ExecCmd struct {
	Env           []string      `name:"env" placeholder:"NAME" help:"Put the token in NAME (repeatable; default AUTHWRAP_TOKEN)."`
	TerraformHost []string      `name:"terraform-host" placeholder:"HOST" help:"Also set TF_TOKEN_<HOST> as Terraform and OpenTofu read it (repeatable)."`
	MinTTL        time.Duration `name:"min-ttl" default:"5m" help:"Refresh first unless the token stays valid this long."`
	Serve         bool          `help:"Stay as the parent and serve fresh tokens to the command at $AUTHWRAP_TOKEN_URL, for commands that outlive the token."`
	AllowNested   bool          `name:"allow-nested" help:"Allow exec inside another exec of the same profile."`
	Command       []string      `arg:"" optional:"" passthrough:"partial" help:"Command and arguments (default $SHELL, %ComSpec% on Windows); put -- before it, or it starts at the first word that is not a flag."`
}

// nestedVar marks a process started by authwrap exec, with the profile.
const nestedVar = "AUTHWRAP_EXEC"

// tokenVarsVar names, comma-separated, the variables authwrap exec put
// the token in (AUTHWRAP_TOKEN, --env, --terraform-host's).
const tokenVarsVar = "AUTHWRAP_EXEC_TOKEN_VARS"

// Run gets the token, builds the environment and runs the command.
func (c *ExecCmd) Run(ctx context.Context, g *Globals) error {
	if c.MinTTL < 0 {
		return fmt.Errorf("--min-ttl must not be negative")
	}
	argv := c.Command
	if len(argv) > 0 && argv[0] == "--" {
		argv = argv[1:]
	}
	interactive := len(argv) == 0
	if interactive {
		argv = []string{shell.Default()}
	}
	m, _, err := g.setup()
	if err != nil {
		return err
	}
	if cur := os.Getenv(nestedVar); cur == m.Profile.Name && !c.AllowNested {
		return fmt.Errorf("already inside `authwrap exec` for profile %s (%s is set): use --allow-nested to run it anyway", cur, nestedVar)
	}
	path, err := exec.LookPath(argv[0])
	if err != nil {
		return &exitError{code: 127, err: fmt.Errorf("command not found: %s", argv[0])}
	}
	// The terminal stays open for --serve, whose endpoint may need to sign
	// in again; exec closes it (the descriptor is close-on-exec).
	s, release, err := g.tokenOnDemand(ctx, m, c.MinTTL, true)
	if err != nil {
		return err
	}
	defer release()
	g.warnUnmetMinTTL(c.MinTTL, s)
	set := map[string]string{
		"AUTHWRAP_PROFILE":          m.Profile.Name,
		"AUTHWRAP_TOKEN_EXPIRES_AT": s.Expiry.UTC().Format(time.RFC3339),
		nestedVar:                   m.Profile.Name,
	}
	names := c.Env
	if len(names) == 0 {
		names = []string{"AUTHWRAP_TOKEN"}
	}
	for _, h := range c.TerraformHost {
		name, err := protocol.TerraformTokenVar(h)
		if err != nil {
			return err
		}
		names = append(names, name)
	}
	for _, n := range names {
		if !envName(n) {
			return fmt.Errorf("bad variable name %q: use letters, digits and '_', not starting with a digit", n)
		}
		set[n] = s.AccessToken.Reveal()
	}
	// Names only: a keeper the command starts (through authwrap token)
	// leaves these out of its environment (keeperEnv). An outer exec's
	// names stay listed: its token is in this environment too.
	listed := names
	if outer := os.Getenv(tokenVarsVar); outer != "" {
		listed = append(strings.Split(outer, ","), names...)
	}
	set[tokenVarsVar] = strings.Join(listed, ",")
	if interactive {
		fmt.Fprintf(g.stderr, "authwrap: starting %s with the token in %s (profile %s); exit the shell to return\n",
			argv[0], strings.Join(names, ", "), m.Profile.Name)
	}
	if !c.Serve {
		err := execReplace(path, argv, environ(set))
		if !errors.Is(err, errNoExec) {
			return fmt.Errorf("running %s: %w", argv[0], err)
		}
		return runChild(path, argv, environ(set))
	}
	// authwrap stays the command's parent: what it took out of its
	// environment (the passphrase, a client secret) is still in the
	// block the kernel shows as /proc/PID/environ to processes of the
	// same user. Not for them.
	hideEnvironment()
	srv, err := credhelper.ServeTokens(m, c.MinTTL)
	if err != nil {
		return err
	}
	// Deferred, so the socket and its directory go however the command
	// ends: runChild passes signals on and returns once it has exited.
	defer srv.Close()
	set["AUTHWRAP_TOKEN_SOCKET"] = srv.Socket
	set["AUTHWRAP_TOKEN_URL"] = srv.URL
	set["AUTHWRAP_TOKEN_URL_AUTH"] = srv.Auth
	return runChild(path, argv, environ(set))
}

// envName reports whether n is a name a shell can read back: letters,
// digits and '_', not starting with a digit (POSIX).
func envName(n string) bool {
	for i, c := range n {
		if !(c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return n != ""
}

// environ is this process's environment with set laid over it, without
// the variables that unlock authwrap's storage or hold a client secret (run already took them out
// of the environment; this holds even for an environment changed since).
func environ(set map[string]string) []string {
	env := make([]string, 0, len(os.Environ())+len(set))
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if _, ok := set[k]; !ok && !slices.Contains([]string{appenv.PassphraseVar(app), appenv.ClientSecretVar(app)}, k) {
			env = append(env, kv)
		}
	}
	for k, v := range set {
		env = append(env, k+"="+v)
	}
	return env
}

// forwarded are the signals passed on to a child; not every signal (Go's
// runtime sends itself SIGURG).
var forwarded = []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT}

// runChild runs the command as a child, passes on the signals above, and
// returns its exit status (128+N for a death by signal N) as an exitError.
func runChild(path string, argv, env []string) error {
	cmd := exec.Command(path, argv[1:]...)
	cmd.Args[0] = argv[0]
	cmd.Env = env
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	sigs := make(chan os.Signal, 8)
	term.CatchSignals(sigs, forwarded...) // an ignored one stays ignored, for the child too
	defer signal.Stop(sigs)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("running %s: %w", argv[0], err)
	}
	done := make(chan struct{})
	go func() {
		for {
			select {
			case sig := <-sigs:
				// Keys typed at a terminal signal the whole foreground
				// group, the child included: passing them on again would
				// make one Ctrl-C count twice.
				if (sig == syscall.SIGINT || sig == syscall.SIGQUIT) && keyboardSignalsReachChild() {
					continue
				}
				_ = cmd.Process.Signal(sig)
			case <-done:
				return
			}
		}
	}()
	err := cmd.Wait()
	close(done)
	if err == nil {
		return nil
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return err
	}
	code := ee.ExitCode()
	if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		code = 128 + int(ws.Signal())
	}
	return &exitError{code: code, err: err, quiet: true}
}
