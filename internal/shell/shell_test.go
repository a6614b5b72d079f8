package shell

import (
	"errors"
	"os/exec"
	"runtime"
	"testing"
)

func TestForSystem(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	for _, c := range []struct {
		goos string
		env  map[string]string
		want string
	}{
		{"linux", map[string]string{"SHELL": "/bin/zsh"}, "/bin/zsh"},
		{"linux", nil, "/bin/sh"},
		{"darwin", map[string]string{"ComSpec": `C:\x.exe`}, "/bin/sh"},
		{"windows", map[string]string{"ComSpec": `D:\Tools\cmd.exe`, "SHELL": "/usr/bin/bash"}, `D:\Tools\cmd.exe`},
	} {
		if got := forSystem(c.goos, env(c.env)); got != c.want {
			t.Errorf("%s %v: %q, want %q", c.goos, c.env, got, c.want)
		}
	}
	if runtime.GOOS == "windows" {
		if got := forSystem("windows", env(map[string]string{"SystemRoot": `E:\Win`})); got != `E:\Win\System32\cmd.exe` {
			t.Errorf("no ComSpec: %q", got)
		}
	}
}

// The shell named here starts, and its exit status comes back: on
// Windows cmd.exe /c, elsewhere sh -c.
func TestDefaultStarts(t *testing.T) {
	args := []string{"-c", "exit 7"}
	if runtime.GOOS == "windows" {
		args = []string{"/c", "exit 7"}
	}
	err := exec.Command(Default(), args...).Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 7 {
		t.Fatalf("%s %v: %v, want exit status 7", Default(), args, err)
	}
}
