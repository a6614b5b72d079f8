//go:build unix

package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestCompletionInShells installs each shell's completion hook where the
// README's install section puts it, under a fresh home with authwrap on
// PATH, and asks the real shell to complete "authwrap lo": each must offer
// login and logout, and nothing else. zsh loads _authwrap from $fpath
// through compinit (its #compdef line), and also from
// `source <(authwrap completion zsh)`.
func TestCompletionInShells(t *testing.T) {
	home := t.TempDir()
	bin := filepath.Join(home, ".local", "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := copyFile(buildAuthwrap(t), filepath.Join(bin, "authwrap"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AUTHWRAP_COMPLETION_BIN", "1") // the release's hooks: authwrap from PATH
	hook := func(shell, path string) string {
		var out, errOut bytes.Buffer
		if code := run([]string{"completion", shell}, &out, &errOut); code != 0 {
			t.Fatalf("completion %s: exit %d: %s", shell, code, errOut.String())
		}
		path = filepath.Join(home, path)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	env := []string{"HOME=" + home, "PATH=" + bin + ":/usr/local/bin:/usr/bin:/bin"}
	want := []string{"login", "logout"}

	for _, tc := range []struct {
		name, shell, file, path string
		args                    []string
	}{{
		// bash runs a -C command with COMP_LINE and COMP_POINT in its
		// environment, and the command, the word and the word before as
		// arguments: this does the same with the command the hook
		// registered (complete -p).
		name: "bash", shell: "bash", file: ".local/share/bash-completion/completions/authwrap",
		args: []string{"--norc", "--noprofile", "-c", `
source "$HOOK" || exit
spec=$(complete -p authwrap) || exit
eval "set -- ${spec#complete }"
cmd=
while [ $# -gt 1 ]; do
  if [ "$1" = -C ]; then cmd=$2; fi
  shift
done
[ -n "$cmd" ] || { echo "no -C command in: $spec" >&2; exit 1; }
export COMP_LINE='authwrap lo' COMP_POINT=11
eval "$cmd authwrap lo authwrap"`},
	}, {
		// compadd and _default stand in for zsh's own, which only work in
		// a completion widget: _authwrap's candidates are what it passes.
		name: "zsh fpath", shell: "zsh", file: ".local/share/zsh/site-functions/_authwrap",
		args: []string{"-f", "-c", `
fpath=(~/.local/share/zsh/site-functions $fpath)
autoload -Uz compinit && compinit -u -D
[[ $_comps[authwrap] == _authwrap ]] || { print -u2 "compinit: authwrap -> ${_comps[authwrap]:-nothing}"; exit 1 }
compadd() { print -rl -- "${@[${@[(i)--]}+1,-1]}" }
_default() { print -r -- "(files)" }
words=(authwrap lo) CURRENT=2
$_comps[authwrap]`},
	}, {
		name: "zsh source", shell: "zsh", file: "authwrap.zsh",
		args: []string{"-f", "-c", `
autoload -Uz compinit && compinit -u -D
source <(authwrap completion zsh)
[[ $_comps[authwrap] == _authwrap ]] || { print -u2 "compdef: authwrap -> ${_comps[authwrap]:-nothing}"; exit 1 }
compadd() { print -rl -- "${@[${@[(i)--]}+1,-1]}" }
_default() { print -r -- "(files)" }
words=(authwrap lo) CURRENT=2
_authwrap`},
	}, {
		name: "fish", shell: "fish", file: ".config/fish/completions/authwrap.fish",
		args: []string{"-c", `complete -C "authwrap lo"`},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(lookClient(t, tc.shell), tc.args...)
			cmd.Env = append(env, "HOOK="+hook(tc.shell, tc.file))
			cmd.Dir = home
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			got := strings.Fields(string(out))
			slices.Sort(got) // in no particular order
			if err != nil || !slices.Equal(got, want) {
				t.Errorf("%s completes \"authwrap lo\" with %q (%v), want %q\nstderr: %s\nhook:\n%s",
					tc.shell, out, err, want, stderr.String(), readHook(filepath.Join(home, tc.file)))
			}
		})
	}
}

// readHook is an installed hook's text, for a failure's message.
func readHook(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	return strings.TrimSpace(string(b))
}
