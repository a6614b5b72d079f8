package integrate

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// TerraformPluginDir is where Terraform and OpenTofu look for a
// credentials helper: ~/.terraform.d/plugins, %APPDATA%\terraform.d\plugins
// on Windows.
func TerraformPluginDir() string {
	if runtime.GOOS == "windows" {
		return filepath.Join(os.Getenv("APPDATA"), "terraform.d", "plugins")
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".terraform.d", "plugins")
}

// HelperFile is the file a helper named name is on this system: name, or
// name.exe on Windows.
func HelperFile(name string) string {
	if runtime.GOOS == "windows" {
		return name + ".exe"
	}
	return name
}

// LinkHint is the command that installs exe in dir under a helper's name
// (git-credential-authwrap, docker-credential-authwrap, ...): on Unix a
// symbolic link, the directory made first; on Windows a copy named
// NAME.exe (a symbolic link needs privileges there), in a form cmd.exe
// and PowerShell both run.
func LinkHint(exe, dir, name string) string {
	_, err := os.Stat(dir)
	return linkHint(runtime.GOOS, exe, dir, name, err == nil)
}

func linkHint(goos, exe, dir, name string, dirExists bool) string {
	if goos == "windows" {
		dst := strings.TrimSuffix(dir, `\`) + `\` + name + ".exe"
		hint := `copy "` + exe + `" "` + dst + `"`
		if !dirExists {
			hint = `mkdir "` + dir + `" && ` + hint
		}
		return hint
	}
	return "mkdir -p " + ShellWord(dir) + " && ln -s " + ShellWord(exe) + " " + ShellWord(dir+"/"+name)
}
