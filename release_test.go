package main

import (
	"bytes"
	"os"
	"testing"
)

// TestReleaseOutputUpToDate fails when the man page or a completion hook
// under release/ is not what the command-line model generates now: run
// `go generate .` and commit the result.
func TestReleaseOutputUpToDate(t *testing.T) {
	t.Setenv("AUTHWRAP_COMPLETION_BIN", "1")
	for file, args := range map[string][]string{
		"release/authwrap.1":                {"man"},
		"release/completions/authwrap.bash": {"completion", "bash"},
		"release/completions/_authwrap.zsh": {"completion", "zsh"},
		"release/completions/authwrap.fish": {"completion", "fish"},
	} {
		var out, errOut bytes.Buffer
		if code := run(args, &out, &errOut); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errOut.String())
		}
		want, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out.Bytes(), want) {
			t.Errorf("%s is stale: run `go generate .`", file)
		}
	}
}
