package main

import (
	"fmt"
	"os"

	"github.com/alecthomas/kong"

	"github.com/authwrap/authwrap/internal/integrate"
	"github.com/authwrap/authwrap/internal/manpage"
)

// CompletionCmd prints a shell's completion hook. The completions
// themselves come from the command-line model at the moment they are asked
// for (github.com/willabides/kongplete), so they never drift from it.
type CompletionCmd struct {
	Shell string `arg:"" enum:"bash,zsh,fish" help:"bash, zsh or fish."`
}

// completionHooks are the shells' ways to ask a program for completions
// through COMP_LINE. zsh's is a completion function: compinit finds it as
// _authwrap in a directory on $fpath by its #compdef line, and run as that
// file (zsh_eval_context ends in loadautofunc; shfunc in older zshs)
// it completes; sourced or eval'd it registers itself with compdef.
var completionHooks = map[string]string{
	"bash": "complete -o default -C %[1]s %[2]s\n",
	"zsh": `#compdef %[2]s
# zsh completion for %[2]s: save it as _%[2]s in a directory on $fpath
# (before compinit runs), or load it after compinit with
#   source <(%[2]s completion zsh)
# The candidates come from %[2]s itself, given the words so far in
# COMP_LINE; where it has none (a file argument), zsh offers files.

_%[2]s() {
  local line="${(j: :)words[1,CURRENT]}"
  local -a candidates
  candidates=(${(f)"$(COMP_LINE=$line COMP_POINT=${#line} %[1]s 2>/dev/null)"})
  if (( $#candidates )); then
    compadd -- $candidates
  else
    _default
  fi
}

if [[ $zsh_eval_context[-1] == (loadautofunc|shfunc) ]]; then
  _%[2]s "$@"
elif (( $+functions[compdef] )); then
  compdef _%[2]s %[2]s
else
  print -u2 "%[2]s: hint: run compinit first (autoload -Uz compinit && compinit), then load this"
fi
`,
	"fish": `function __complete_%[2]s
    set -lx COMP_LINE (commandline -cp)
    test -z (commandline -ct)
    and set COMP_LINE "$COMP_LINE "
    %[1]s
end
complete -f -c %[2]s -a "(__complete_%[2]s)"
`,
}

// Run prints the hook; add it to the shell's startup file, as
// `source <(authwrap completion bash)` (zsh: after compinit) or in fish
// `authwrap completion fish | source`, or install it as the release does
// (README: Install).
func (c *CompletionCmd) Run(g *Globals) error {
	exe, err := selfPath()
	if err != nil || os.Getenv("AUTHWRAP_COMPLETION_BIN") != "" {
		exe = "authwrap" // for the release output: whatever authwrap is on PATH
	}
	_, err = fmt.Fprintf(g.stdout, completionHooks[c.Shell], integrate.ShellQuote(exe), "authwrap")
	return err
}

// ManCmd prints the man page, generated from the command-line model.
type ManCmd struct{}

// Run writes the page in roff: `authwrap man | man -l -`.
func (c *ManCmd) Run(k *kong.Context, g *Globals) error {
	return manpage.Write(g.stdout, k.Model, manpage.Extra{
		Description: "authwrap signs you in to a service protected by WorkOS AuthKit with the OAuth 2.0 " +
			"device authorization grant (RFC 8628), keeps the session in the system keyring, and hands a valid " +
			"access token to git and docker (as their credential helper), Terraform, kubectl, any command " +
			"(authwrap exec) and scripts (authwrap token). Standard output carries only what a command is for: " +
			"the token (token), the answer of a helper protocol (git-credential, docker-credential, " +
			"terraform-credentials, kubectl-credential), a report (status, doctor, version), setup terraform's " +
			"block, and the man page and completions. Every message, prompt and error goes to standard error " +
			"or the terminal.",
		Environment: environmentEntries(),
		Files: [][2]string{
			{"$XDG_CONFIG_HOME/authwrap/config.toml", "profiles: client_id, api_url or issuer, scopes, hosts, username, bearer"},
			{"$XDG_STATE_HOME/authwrap/PROFILE.lock", "the lock that keeps processes from racing a refresh or a sign-in"},
			{"$XDG_DATA_HOME/authwrap/keyring", "the encrypted file keyring, when that backend is used"},
		},
		ExitStatus: "0 on success; 1 on an error (one line on stderr); 2 for a bad command line; " +
			"128+N when stopped by signal N. exec returns the command's own status, 127 when it is not found.",
		SeeAlso: "git-credential(1), gitcredentials(7), docker-login(1), kubectl(1), terraform(1)",
	})
}

// environmentEntries is the man page's ENVIRONMENT, from the one list.
func environmentEntries() [][2]string {
	var out [][2]string
	for _, e := range environment {
		out = append(out, [2]string{e.Name, e.What})
	}
	return out
}
