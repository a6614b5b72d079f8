package integrate

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/authwrap/authwrap/internal/fsutil"
)

// dockerInputs are config.json contents people and programs have left
// behind; none may crash setup docker.
var dockerInputs = []string{
	"", "null", "{}", `{"credHelpers": null}`, `{"credHelpers": {}}`, `{"auths": null, "credHelpers": null}`,
	`{"credHelpers": {"ghcr.io": "desktop"}}`, `[]`, `"x"`, `{"credHelpers": []}`, `{"credHelpers": {"a": 1}}`,
	"{\"credsStore\": \"desktop\", \"credHelpers\": {\"r.example.com\": \"authwrap\"}}", "{", "\xff",
}

// checkDocker runs setup and removal on one input: each either fails with
// a clear error (the file untouched) or leaves JSON in which the registry
// is bound to authwrap exactly when it should be.
func checkDocker(t *testing.T, input string) {
	path := filepath.Join(t.TempDir(), "config.json")
	if err := os.WriteFile(path, []byte(input), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, remove := range []bool{false, true} {
		before, _ := os.ReadFile(path)
		err := SetupDocker(path, "registry.example.com", remove)
		after, _ := os.ReadFile(path)
		if err != nil {
			if string(after) != string(before) {
				t.Fatalf("input %q, remove=%v: failed (%v) but changed the file", input, remove, err)
			}
			return
		}
		var doc struct {
			CredHelpers map[string]string `json:"credHelpers"`
		}
		if err := json.Unmarshal(after, &doc); err != nil {
			t.Fatalf("input %q, remove=%v: wrote invalid JSON: %v\n%s", input, remove, err, after)
		}
		if got := doc.CredHelpers["registry.example.com"] == "authwrap"; got == remove {
			t.Fatalf("input %q, remove=%v: credHelpers = %v", input, remove, doc.CredHelpers)
		}
	}
}

// TestSetupDockerOddFiles: null, a null credHelpers and other odd shapes
// never panic: a correct edit or a clear error.
func TestSetupDockerOddFiles(t *testing.T) {
	for _, in := range dockerInputs {
		checkDocker(t, in)
	}
}

func FuzzSetupDocker(f *testing.F) {
	for _, in := range dockerInputs {
		f.Add(in)
	}
	f.Fuzz(checkDocker)
}

// kubeInputs are kubeconfigs as kubectl and people write them: `users:
// null` is what `kubectl config set-cluster` leaves in a new file.
var kubeInputs = []string{
	"apiVersion: v1\nclusters:\n- cluster:\n    server: https://k8s.example.com\n  name: prod\ncontexts: null\ncurrent-context: \"\"\nkind: Config\npreferences: {}\nusers: null\n",
	"clusters:\n- name: prod\n  cluster:\n    server: https://k8s.example.com\nusers: ~\ncontexts:\n",
	"clusters:\n- name: prod\n  cluster:\n    server: https://k8s.example.com\n# the users\nusers: []\n",
	"clusters:\n- name: prod\n  cluster:\n    server: https://k8s.example.com\nusers: {}\n",
	"clusters:\n- name: prod\n  cluster:\n    server: https://k8s.example.com\nusers: []\nusers: []\n",
	"clusters:\n- name: prod\n  cluster: {}\n",
	"clusters: null\n", "null\n", "", "- a\n", "{", "clusters:\n- name: prod\n  cluster:\n    server: https://k8s.example.com\nusers:\n- name: authwrap-default\n  user: null\n",
	"clusters:\n- &c\n  name: prod\n  cluster:\n    server: https://k8s.example.com\ncontexts:\n- *c\n",
}

// checkKube runs setup, setup again and removal on one input: each
// either fails with a clear error (the file untouched) or leaves a
// kubeconfig with one users and one contexts key and the user present
// exactly once (none after removal).
func checkKube(t *testing.T, input string) {
	path := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(path, []byte(input), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, remove := range []bool{false, false, true} {
		before, _ := os.ReadFile(path)
		res, err := SetupKubectl(path, "prod", "default", "/usr/bin/authwrap", "", remove)
		after, _ := os.ReadFile(path)
		if err != nil {
			if string(after) != string(before) {
				t.Fatalf("input %q, remove=%v: failed (%v) but changed the file", input, remove, err)
			}
			return
		}
		if !res.Changed {
			if string(after) != string(before) {
				t.Fatalf("input %q: reported no change but changed the file", input)
			}
			continue
		}
		var root yaml.Node
		if err := yaml.Unmarshal(after, &root); err != nil || len(root.Content) == 0 {
			t.Fatalf("input %q, remove=%v: wrote invalid YAML: %v\n%s", input, remove, err, after)
		}
		m := root.Content[0]
		for _, k := range []string{"users", "contexts"} {
			if n := countKey(m, k); n > 1 {
				t.Fatalf("input %q, remove=%v: %d %q keys:\n%s", input, remove, n, k, after)
			}
		}
		want := 1
		if remove {
			want = 0
		}
		if got := strings.Count(string(after), "name: authwrap-default\n"); got != want {
			t.Fatalf("input %q, remove=%v: the user appears %d times:\n%s", input, remove, got, after)
		}
		if !remove && (!strings.Contains(string(after), "provideClusterInfo: true") || res.Server != "https://k8s.example.com") {
			t.Fatalf("input %q: no provideClusterInfo or server %q:\n%s", input, res.Server, after)
		}
	}
}

// TestSetupKubectlOddFiles: the kubeconfigs kubectl writes (null lists)
// get one users and one contexts key however often setup runs, and
// --remove says whether it removed anything.
func TestSetupKubectlOddFiles(t *testing.T) {
	for _, in := range kubeInputs {
		checkKube(t, in)
	}
	path := filepath.Join(t.TempDir(), "config")
	_ = os.WriteFile(path, []byte(kubeInputs[0]), 0o600)
	if res, err := SetupKubectl(path, "prod", "default", "/x/authwrap", "", true); err != nil || res.Changed {
		t.Errorf("removing from a file without the user: %+v, %v; want no change", res, err)
	}
	_ = os.WriteFile(path, []byte("clusters: 3\n"), 0o600)
	if _, err := SetupKubectl(path, "prod", "default", "/x/authwrap", "", false); !errors.Is(err, ErrKubeconfig) {
		t.Errorf("clusters that is not a list: %v", err)
	}
}

func FuzzSetupKubectl(f *testing.F) {
	for _, in := range kubeInputs {
		f.Add(in)
	}
	f.Fuzz(checkKube)
}

// The files whose contents choose the host that gets the token (the
// kubeconfig's cluster server, cargo's registry index) are refused when
// another user could have written them, and left as they were; undoing
// is still allowed. Unix file modes only.
func TestSetupRefusesUntrustedFiles(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix modes")
	}
	dir := t.TempDir()
	kube := filepath.Join(dir, "config")
	body := "clusters:\n- name: prod\n  cluster:\n    server: https://k8s.example.com\n"
	if err := os.WriteFile(kube, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(kube, 0o666); err != nil {
		t.Fatal(err)
	}
	if _, err := SetupKubectl(kube, "prod", "default", "/x/authwrap", "", false); !errors.Is(err, fsutil.ErrUntrusted) {
		t.Errorf("kubeconfig writable by others: %v", err)
	}
	if b, _ := os.ReadFile(kube); string(b) != body {
		t.Errorf("the kubeconfig changed:\n%s", b)
	}
	if _, err := SetupKubectl(kube, "prod", "default", "/x/authwrap", "", true); err != nil {
		t.Errorf("removing: %v", err)
	}

	cargo := Cargo{Path: filepath.Join(dir, "cargo.toml")}
	if err := os.WriteFile(cargo.Path, []byte("[registries.corp]\nindex = \"sparse+https://evil.example/index/\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if index, err := cargo.Index("corp"); err != nil || index != "sparse+https://evil.example/index/" {
		t.Fatalf("own file: %q, %v", index, err)
	}
	if err := os.Chmod(cargo.Path, 0o666); err != nil {
		t.Fatal(err)
	}
	if index, err := cargo.Index("corp"); !errors.Is(err, fsutil.ErrUntrusted) || index != "" {
		t.Errorf("cargo config writable by others: %q, %v", index, err)
	}
}
