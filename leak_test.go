package main

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/authwrap/authwrap/flow/authkittest"
)

// TestNoLeaks runs the built binary through every command that touches a
// secret, including refreshes, failures and revocation, then checks every
// secret the server issued (device codes, access, ID and refresh tokens)
// against everything authwrap wrote: an access token may appear only on
// the stdout of the commands whose protocol answers with it; refresh
// tokens and device codes never appear; stderr never holds a secret; files
// outside the keyring hold none, and are 0600 in 0700 directories.
func TestNoLeaks(t *testing.T) {
	t.Parallel()
	bin := buildAuthwrap(t)
	srv := authkittest.NewServer(authkittest.Config{Interval: time.Second, AutoApprove: time.Millisecond,
		AccessTokenTTL: 3 * time.Second, Machines: map[string]authkittest.Machine{leakMachineID: {Secret: leakMachineSecret,
			OrganizationID: "org_01LEAK", Scopes: []string{"deploy:read"}}}})
	defer srv.Close()
	home := t.TempDir()
	env := serverEnv(home, srv, "DOCKER_CONFIG="+home+"/docker", "KUBECONFIG="+home+"/kube/config", "CARGO_HOME="+home+"/cargo",
		"GOENV="+home+"/go.env", "GOTOOLCHAIN=local")

	type output struct {
		args           []string
		stdout, stderr string
		tokenOnStdout  bool // the protocol answers with the access token
	}
	var outs []output
	runAW := func(stdin string, tokenOnStdout bool, args ...string) {
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		cmd.Stdin = strings.NewReader(stdin)
		var o, e bytes.Buffer
		cmd.Stdout, cmd.Stderr = &o, &e
		_ = cmd.Run() // failures are part of the run; their output is checked too
		outs = append(outs, output{args, o.String(), e.String(), tokenOnStdout})
	}
	gitReq := "protocol=https\nhost=git.example.com\n\n"
	runAW("", false, "setup", "git", "--host", "git.example.com")
	runAW("", false, "setup", "docker", "--registry", "registry.example.com")
	runAW("", false, "setup", "terraform", "--host", "app.terraform.io")
	runAW("", false, "setup", "cargo", "--registry", "corp", "--index", "sparse+https://cargo.example.com/index/")
	runAW("", false, "setup", "go", "--host", "goproxy.example.com", "--write")
	runAW("", false, "setup", "pip", "--index", "https://pypi.example.com/simple/", "--link-dir", home+"/bin")
	cargoReq := `{"v":1,"registry":{"index-url":"sparse+https://cargo.example.com/index/","name":"corp"},"kind":"get","operation":"read","args":["cargo-credential"]}` + "\n"
	runAW("", false, "login", "--verbose")
	runAW("", true, "token")
	runAW("", true, "token", "--json")
	runAW("", false, "status")
	runAW("", false, "status", "--json")
	runAW(gitReq, true, "git-credential", "get")
	runAW("registry.example.com", true, "docker-credential", "get")
	runAW("", false, "docker-credential", "list")
	runAW("", true, "terraform-credentials", "get", "app.terraform.io")
	runAW("", true, "kubectl-credential")
	runAW(cargoReq, true, "--cargo-plugin")
	runAW(`{"v":1,"registry":{"index-url":"sparse+https://cargo.example.com/index/"},"kind":"login","token":"pasted"}`+"\n", false, "--cargo-plugin")
	runAW("", true, "goauth")
	runAW("HTTP/1.1 401 Unauthorized\n\n", true, "goauth", "https://goproxy.example.com/mod/@v/list")
	runAW("", true, "keyring", "get", "https://pypi.example.com/simple/", "x-access-token")
	runAW("", false, "keyring", "get", "https://pypi.example.com/simple/", "someone-else")
	runAW("", true, "exec", "--", "sh", "-c", `printf '%s\n' "$AUTHWRAP_TOKEN"`)
	runAW("", false, "exec", "--", "sh", "-c", `tr '\0' ' ' < /proc/self/cmdline`)
	time.Sleep(3100 * time.Millisecond) // the access token expires: refreshes follow
	runAW("", true, "token", "--verbose")
	runAW(gitReq, true, "git-credential", "get")
	runAW(cargoReq, true, "--cargo-plugin")
	srv.Fail(authkittest.Refresh, authkittest.Fault{Status: 503}, authkittest.Fault{Status: 503}, authkittest.Fault{Status: 503})
	// Past the token's life: it lives up to a second more than 3 s (the
	// server's whole-second exp), and a token still valid would be printed.
	time.Sleep(4100 * time.Millisecond)
	runAW("", false, "token", "-v") // fails, with the server's error on stderr
	runAW("", false, "status")
	srv.RevokeSessions()
	runAW("", false, "token") // the session has ended
	runAW(gitReq, false, "git-credential", "get")
	runAW("", false, "logout")

	// A machine identity (profile ci), its secret in the environment as
	// CI passes it: the grant, --verbose, the helpers, exec, refusals.
	personEnv := env
	env = append(env, "AUTHWRAP_PROFILE=ci", "AUTHWRAP_API_URL=", "AUTHWRAP_ISSUER="+srv.URL,
		"AUTHWRAP_CLIENT_ID="+leakMachineID, "AUTHWRAP_CLIENT_SECRET="+leakMachineSecret, "CI=true")
	runAW("", false, "setup", "git", "--host", "git.example.com")
	runAW("", false, "login", "--verbose")
	runAW("", true, "token", "--verbose")
	runAW("", false, "status")
	runAW("", false, "status", "--json")
	runAW("", false, "doctor")
	runAW("", false, "doctor", "--json")
	runAW(gitReq, true, "git-credential", "get")
	runAW("", true, "terraform-credentials", "get", "app.terraform.io")
	runAW("", true, "exec", "--", "sh", "-c", `env; tr '\0' ' ' < /proc/self/cmdline`)
	runAW("", false, "config", "list")
	time.Sleep(3100 * time.Millisecond) // the token expires: the grant runs again
	runAW("", true, "token", "-v")
	env = append(env, "AUTHWRAP_CLIENT_SECRET=m2m-wrong-"+leakMachineSecret[:4])
	runAW("", false, "login", "-v") // the grant, refused: the secret it sent is in no message
	// A token the grant gave moments ago is still fresh: token may print
	// it (the wrong secret is only needed for the next one).
	runAW("", true, "token", "-v")
	env = personEnv

	secrets := append(srv.IssuedSecrets(), leakMachineSecret)
	kinds := map[string]int{}
	for _, s := range secrets {
		kinds[secretKind(s)]++
	}
	// A sign-in issues a device code, an access and a refresh token; each
	// refresh a new pair (how many refreshes depends on timing).
	if kinds["a device code"] < 1 || kinds["a refresh token"] < 2 || kinds["a JWT (access or ID token)"] < 2 {
		t.Fatalf("secrets issued: %v; the run did not exercise sign-in and refresh", kinds)
	}
	kind := secretKind
	for _, o := range outs {
		for _, s := range secrets {
			if strings.Contains(o.stderr, s) {
				t.Errorf("authwrap %v: %s on stderr", o.args, kind(s))
			}
			if strings.Contains(o.stdout, s) && (!strings.HasPrefix(s, "eyJ") || !o.tokenOnStdout) {
				t.Errorf("authwrap %v: %s on stdout where no protocol puts it; its stderr: %.600s", o.args, kind(s), o.stderr)
			}
		}
	}
	// Files: every file authwrap wrote outside the encrypted keyring, and
	// the keyring files too (they must not hold plaintext).
	err := filepath.WalkDir(home, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		// The go command's own files (go env -w, its telemetry counters),
		// with its modes; their contents are still searched.
		goOwn := strings.Contains(path, "/.config/go") || filepath.Base(path) == "go.env"
		if d.Type()&fs.ModeSymlink != 0 {
			return nil // setup pip's keyring: a link to the binary
		}
		if d.IsDir() {
			if path != home && !goOwn && info.Mode().Perm()&0o077 != 0 && !strings.Contains(path, "/docker") && !strings.Contains(path, "/kube") {
				t.Errorf("directory %s has mode %v, want 0700", path, info.Mode().Perm())
			}
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, s := range secrets {
			if bytes.Contains(data, []byte(s)) {
				t.Errorf("%s holds %s in plaintext", path, kind(s))
			}
		}
		// .gitconfig is git's own file, written by `git config`, with git's mode.
		if info.Mode().Perm()&0o077 != 0 && filepath.Base(path) != ".gitconfig" && !goOwn {
			t.Errorf("file %s has mode %v, want 0600", path, info.Mode().Perm())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// --verbose logged the requests, with the secrets' names but not their values.
	logged := ""
	for _, o := range outs {
		logged += o.stderr
	}
	for _, want := range []string{"device_code=[redacted]", "grant_type=refresh_token", "refresh_token=[redacted]", "503 Service Unavailable",
		"grant_type=client_credentials", "authorization=Basic [redacted]", "invalid_client"} {
		if !strings.Contains(logged, want) {
			t.Errorf("--verbose logged no %q", want)
		}
	}
	// The run must have exercised what it claims: tokens were answered.
	answered := 0
	for _, o := range outs {
		if o.tokenOnStdout && strings.Contains(o.stdout, "eyJ") {
			answered++
		}
	}
	if answered < 8 {
		t.Errorf("only %d commands answered with a token; the run is not exercising the helpers", answered)
	}
}

// The M2M application TestNoLeaks uses; its secret starts as secretKind
// expects.
const (
	leakMachineID     = "client_01LEAKM2M000000000000000"
	leakMachineSecret = "m2m_leak+S3cr%t/0123456789abcdef"
)

// secretKind names a secret in a failure message without showing any of
// it (authkittest prefixes refresh tokens rt_ and device codes dc_; the
// tests' client secrets start m2m).
func secretKind(s string) string {
	switch {
	case strings.HasPrefix(s, "eyJ"):
		return "a JWT (access or ID token)"
	case strings.HasPrefix(s, "rt_"):
		return "a refresh token"
	case strings.HasPrefix(s, "m2m"):
		return "a client secret"
	}
	return "a device code"
}
