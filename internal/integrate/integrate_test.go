package integrate

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
)

// TestUses: each tool's Uses reads what setup wrote, and UsedBy names the
// tools other than the one being removed that still send a host to
// authwrap.
func TestUses(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("needs git")
	}
	dir := t.TempDir()
	t.Setenv("GIT_CONFIG_GLOBAL", filepath.Join(dir, "gitconfig"))
	git := Git{}
	if err := git.Configure("https://h.example.com", HelperCommand("/usr/bin/authwrap", "")); err != nil {
		t.Fatal(err)
	}
	docker := Docker{Path: filepath.Join(dir, "docker.json")}
	if err := docker.Configure("r.example.com"); err != nil {
		t.Fatal(err)
	}
	kube := Kubectl{Path: filepath.Join(dir, "kubeconfig")}
	_ = os.WriteFile(kube.Path, []byte("clusters:\n- name: prod\n  cluster:\n    server: https://k8s.example.com:6443\n"), 0o600)
	if _, err := SetupKubectl(kube.Path, "prod", "default", "/usr/bin/authwrap", "", false); err != nil {
		t.Fatal(err)
	}
	tf := Terraform{Path: filepath.Join(dir, "terraformrc")}
	tools := []Tool{git, docker, kube, tf}
	for _, tc := range []struct {
		host   string
		except string
		want   []string
	}{
		{"h.example.com", "docker", []string{"git"}},
		{"h.example.com", "git", nil},
		{"r.example.com", "git", []string{"docker"}},
		{"k8s.example.com:6443", "git", []string{"kubectl"}},
		{"k8s.example.com", "git", nil}, // another port
		{"other.example.com", "", nil},
	} {
		got, err := UsedBy(tools, tc.host, tc.except)
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("UsedBy(%s, except %s) = %v, %v; want %v", tc.host, tc.except, got, err, tc.want)
		}
	}
	// With authwrap as Terraform's helper (not in a comment), Terraform may
	// ask for any host.
	_ = os.WriteFile(tf.Path, []byte("# credentials_helper \"authwrap\" {}\n"), 0o600)
	if ok, _ := tf.Uses("x.example.com"); ok {
		t.Error("a commented-out block counts")
	}
	_ = os.WriteFile(tf.Path, []byte("plugin_cache_dir = \"/x\"\ncredentials_helper \"authwrap\" {\n  args = []\n}\n"), 0o600)
	if got, _ := UsedBy(tools, "x.example.com", "git"); !slices.Equal(got, []string{"terraform"}) {
		t.Errorf("with the Terraform block: %v", got)
	}
	if err := git.Remove("https://h.example.com"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := git.Uses("h.example.com"); ok {
		t.Error("git still uses the host after Remove")
	}
	// A file that cannot be read counts as using the host, and says why.
	_ = os.WriteFile(docker.Path, []byte("{"), 0o600)
	if got, err := UsedBy([]Tool{docker}, "q.example.com", ""); err == nil || !slices.Equal(got, []string{"docker"}) {
		t.Errorf("unreadable docker config: %v, %v", got, err)
	}
}

// TestKubectlAPIVersion: a kubectl before 1.22 gets v1beta1, a newer one
// (or none) v1.
func TestKubectlAPIVersion(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("a shell script stands in for kubectl")
	}
	for minor, want := range map[string]string{"20": ExecV1beta1, "21+": ExecV1beta1, "22": ExecV1, "32": ExecV1} {
		dir := t.TempDir()
		script := "#!/bin/sh\necho '{\"clientVersion\":{\"major\":\"1\",\"minor\":\"" + minor + "\",\"gitVersion\":\"v1." + minor + ".0\"}}'\n"
		if err := os.WriteFile(filepath.Join(dir, "kubectl"), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
		t.Setenv("PATH", dir)
		if got, why := KubectlAPIVersion(); got != want {
			t.Errorf("kubectl 1.%s: %s (%s), want %s", minor, got, why, want)
		}
	}
	t.Setenv("PATH", t.TempDir())
	if got, _ := KubectlAPIVersion(); got != ExecV1 {
		t.Errorf("no kubectl: %s", got)
	}
}
