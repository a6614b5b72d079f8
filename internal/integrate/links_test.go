package integrate

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

func TestLinkHintForms(t *testing.T) {
	for _, c := range []struct {
		goos, exe, dir, name string
		exists               bool
		want                 string
	}{
		{"linux", "/usr/local/bin/authwrap", "/home/a/.terraform.d/plugins", "terraform-credentials-authwrap", false,
			"mkdir -p /home/a/.terraform.d/plugins && ln -s /usr/local/bin/authwrap /home/a/.terraform.d/plugins/terraform-credentials-authwrap"},
		{"darwin", "/Users/a b/bin/authwrap", "/Users/a b/bin", "docker-credential-authwrap", true,
			"mkdir -p '/Users/a b/bin' && ln -s '/Users/a b/bin/authwrap' '/Users/a b/bin/docker-credential-authwrap'"},
		// No Go quoting: a backslash is a path separator, not an escape.
		{"windows", `C:\Users\a\bin\authwrap.exe`, `C:\Users\a\bin`, "docker-credential-authwrap", true,
			`copy "C:\Users\a\bin\authwrap.exe" "C:\Users\a\bin\docker-credential-authwrap.exe"`},
		{"windows", `C:\Tools\authwrap.exe`, `C:\Users\a\AppData\Roaming\terraform.d\plugins`, "terraform-credentials-authwrap", false,
			`mkdir "C:\Users\a\AppData\Roaming\terraform.d\plugins" && copy "C:\Tools\authwrap.exe" "C:\Users\a\AppData\Roaming\terraform.d\plugins\terraform-credentials-authwrap.exe"`},
	} {
		if got := linkHint(c.goos, c.exe, c.dir, c.name, c.exists); got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.goos, got, c.want)
		}
	}
}

// The hint works when run as printed, by the system's shell (cmd.exe on
// Windows): the helper then exists under its name and is authwrap.
func TestLinkHintRuns(t *testing.T) {
	dir := t.TempDir()
	exe := filepath.Join(dir, "bin dir", HelperFile("authwrap"))
	if err := os.MkdirAll(filepath.Dir(exe), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(exe, []byte("the binary"), 0o700); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(dir, "plugins", "sub")
	hint := LinkHint(exe, target, "terraform-credentials-authwrap")
	cmd := exec.Command("/bin/sh", "-c", hint)
	if runtime.GOOS == "windows" {
		cmd = exec.Command(os.Getenv("ComSpec"))
		// cmd.exe parses its own command line: pass it as written.
		cmd.SysProcAttr = cmdLine("/c " + hint)
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", hint, err, out)
	}
	got, err := os.ReadFile(filepath.Join(target, HelperFile("terraform-credentials-authwrap")))
	if err != nil || !bytes.Equal(got, []byte("the binary")) {
		t.Fatalf("after %s: %q, %v", hint, got, err)
	}
}
