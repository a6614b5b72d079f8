package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authwrap/authwrap/flow/authkittest"
)

// apiServer is a stand-in Kubernetes API server that records the
// Authorization header of every request.
type apiServer struct {
	*httptest.Server
	mu    sync.Mutex
	auths []string
}

func newAPIServer(t *testing.T) *apiServer {
	a := &apiServer{}
	a.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		a.auths = append(a.auths, r.Header.Get("Authorization"))
		a.mu.Unlock()
		if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer eyJ") {
			http.Error(w, "Unauthorized", http.StatusUnauthorized)
			return
		}
		_, _ = w.Write([]byte("ok"))
	}))
	t.Cleanup(a.Close)
	return a
}

func (a *apiServer) bearerSeen() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, h := range a.auths {
		if h != "" {
			return true
		}
	}
	return false
}

// TestKubectlClient drives the real kubectl: `setup kubectl` binds the
// cluster's server, kubectl gets the token for it through the exec
// plugin, and `kubectl --server` pointed at another API server gets no
// token at all, since the plugin refuses a server its profile does not
// list.
func TestKubectlClient(t *testing.T) {
	kubectl := lookClient(t, "kubectl", "version", "--client")
	t.Parallel()
	bin := buildAuthwrap(t)
	srv := authkittest.NewServer(authkittest.Config{Interval: time.Second, AutoApprove: time.Millisecond})
	defer srv.Close()
	good, evil := newAPIServer(t), newAPIServer(t)
	home := t.TempDir()
	kubeconfig := filepath.Join(home, "kubeconfig")
	if err := os.WriteFile(kubeconfig, []byte("apiVersion: v1\nkind: Config\nclusters:\n- name: prod\n  cluster:\n    server: "+
		good.URL+"\n    insecure-skip-tls-verify: true\ncontexts: null\nusers: null\ncurrent-context: \"\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := serverEnv(home, srv, "KUBECONFIG="+kubeconfig)
	run := func(name string, args ...string) (string, error) {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	for _, args := range [][]string{{"login"}, {"setup", "kubectl", "--cluster", "prod"}} {
		if out, err := run(bin, args...); err != nil {
			t.Fatalf("authwrap %v: %v\n%s", args, err, out)
		}
	}
	out, err := run(kubectl, "--context", "prod-authwrap-default", "get", "--raw", "/healthz")
	if err != nil || strings.TrimSpace(out) != "ok" {
		t.Fatalf("kubectl against the bound cluster: %v\n%s", err, out)
	}
	if !good.bearerSeen() {
		t.Fatal("the bound API server got no token")
	}
	out, err = run(kubectl, "--context", "prod-authwrap-default", "--server", evil.URL, "get", "--raw", "/healthz")
	if err == nil {
		t.Errorf("kubectl --server to another API server succeeded:\n%s", out)
	}
	if evil.bearerSeen() {
		t.Error("the other API server received a token")
	}
	if !strings.Contains(out, "refusing to send the token of profile default to the cluster at "+evil.URL) {
		t.Errorf("kubectl does not show why:\n%s", out)
	}
}
