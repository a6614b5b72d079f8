package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker-credential-helpers/client"
	"github.com/docker/docker-credential-helpers/credentials"

	"github.com/authwrap/authwrap/flow/authkittest"
)

// TestDockerClient drives the built binary, installed as
// docker-credential-authwrap, with docker's own helper client package.
func TestDockerClient(t *testing.T) {
	t.Parallel()
	bin := buildAuthwrap(t)
	dir := t.TempDir()
	helperBin := filepath.Join(dir, "docker-credential-authwrap")
	if err := os.Symlink(bin, helperBin); err != nil {
		t.Fatal(err)
	}
	srv := authkittest.NewServer(authkittest.Config{Interval: time.Second, AutoApprove: time.Millisecond})
	defer srv.Close()
	home := t.TempDir()
	env := isolatedEnv(home)
	env["AUTHWRAP_API_URL"], env["AUTHWRAP_CLIENT_ID"] = srv.URL, srv.Config.ClientID
	if err := os.MkdirAll(home+"/.config/authwrap", 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(home+"/.config/authwrap/config.toml",
		[]byte("[profiles.default]\nhosts = [\"registry.example.com:5000\"]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	login := exec.Command(bin, "login")
	login.Env = serverEnv(home, srv)
	if out, err := login.CombinedOutput(); err != nil {
		t.Fatalf("login: %v\n%s", err, out)
	}
	// docker's configuration sends the registry to authwrap, as setup
	// docker writes it: list names the registries so configured.
	env["DOCKER_CONFIG"] = filepath.Join(home, "docker")
	if err := os.MkdirAll(env["DOCKER_CONFIG"], 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(env["DOCKER_CONFIG"], "config.json"),
		[]byte(`{"credHelpers": {"registry.example.com:5000": "authwrap"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	p := client.NewShellProgramFuncWithEnv(helperBin, &env)
	const reg = "registry.example.com:5000"

	creds, err := client.Get(p, reg)
	if err != nil {
		t.Fatal(err)
	}
	if creds.ServerURL != reg || creds.Username != "x-access-token" || !strings.HasPrefix(creds.Secret, "eyJ") {
		t.Errorf("get = %+v", creds)
	}
	if c2, err := client.Get(p, "https://"+reg+"/v2/"); err != nil || c2.Secret != creds.Secret {
		t.Errorf("get by URL: %v", err)
	}
	if _, err := client.Get(p, "ghcr.io"); !credentials.IsErrCredentialsNotFound(err) {
		t.Errorf("get of an unknown registry: %v, want not found", err)
	}
	list, err := client.List(p)
	if err != nil || len(list) != 1 || list[reg] != "x-access-token" {
		t.Errorf("list = %v, %v", list, err)
	}
	if err := client.Store(p, &credentials.Credentials{ServerURL: reg, Username: "x-access-token", Secret: creds.Secret}); err != nil {
		t.Errorf("store of authwrap's own token: %v", err)
	}
	err = client.Store(p, &credentials.Credentials{ServerURL: reg, Username: "me", Secret: "hunter2"})
	if err == nil || !strings.Contains(err.Error(), "run `authwrap login` instead of `docker login`") {
		t.Errorf("store of other credentials: %v", err)
	}
	if err := client.Erase(p, reg); err != nil {
		t.Fatalf("erase: %v", err)
	}
	again, err := client.Get(p, reg)
	if err != nil || again.Secret == creds.Secret {
		t.Errorf("after erase the token must be refreshed: %v", err)
	}
	if n := srv.Requests(authkittest.Refresh); n != 1 {
		t.Errorf("refresh requests = %d, want 1", n)
	}
}
