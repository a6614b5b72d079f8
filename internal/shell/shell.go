// Package shell names the interactive shell `authwrap exec` starts when
// it is given no command.
package shell

import (
	"os"
	"path/filepath"
	"runtime"
)

// Default is the person's shell: on Windows %ComSpec% (cmd.exe, found
// under %SystemRoot% when ComSpec is unset; $SHELL there is often a
// Unix path from Git Bash or MSYS that Windows cannot start); elsewhere
// $SHELL, else /bin/sh.
func Default() string { return forSystem(runtime.GOOS, os.Getenv) }

func forSystem(goos string, getenv func(string) string) string {
	if goos == "windows" {
		if cs := getenv("ComSpec"); cs != "" {
			return cs
		}
		root := getenv("SystemRoot")
		if root == "" {
			root = `C:\Windows`
		}
		return filepath.Join(root, "System32", "cmd.exe")
	}
	if sh := getenv("SHELL"); sh != "" {
		return sh
	}
	return "/bin/sh"
}
