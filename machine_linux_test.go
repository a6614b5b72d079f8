package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/authwrap/authwrap/flow/authkittest"
)

// TestClientSecretFileTrust runs authwrap as an unprivileged user whose
// profile names a client_secret_file: its own private file is used; one
// another user owns (so could write), one its group may write or read,
// one in a directory another user owns or anyone may write, is refused
// with one line naming the file and why, before any request, with
// nothing stored and the secret shown nowhere.
func TestClientSecretFileTrust(t *testing.T) {
	n := 55000 + os.Getpid()%5000
	uid, other := strconv.Itoa(n), n+1
	root, home := otherUserRoot(t, n, "authwrap-m2mfile-", "authwrap")
	t.Parallel()
	const id, secret = "client_01FILEM2M00000000000000", "m2m_file+S3cr%t/abcdef0123"
	srv := authkittest.NewServer(authkittest.Config{AccessTokenTTL: time.Minute,
		Machines: map[string]authkittest.Machine{id: {Secret: secret, OrganizationID: "org_01FILE"}}})
	t.Cleanup(srv.Close)

	// put writes the secret at home/rel (directories made as dirMode,
	// owned by dirOwner), owned by owner, with mode.
	put := func(rel string, owner int, mode os.FileMode, dirOwner int, dirMode os.FileMode) string {
		t.Helper()
		path := filepath.Join(home, rel)
		if dir := filepath.Dir(path); dir != home {
			if err := os.MkdirAll(dir, dirMode); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(dir, dirMode); err != nil {
				t.Fatal(err)
			}
			if err := os.Chown(dir, dirOwner, dirOwner); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(path, []byte(secret+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(path, owner, owner); err != nil {
			t.Fatal(err)
		}
		return path
	}
	run := func(secretFile string) (string, string, int) {
		t.Helper()
		cfgDir := filepath.Join(home, ".config", "authwrap")
		if err := os.MkdirAll(cfgDir, 0o700); err != nil {
			t.Fatal(err)
		}
		cfg := filepath.Join(cfgDir, "config.toml")
		body := "[profiles.ci]\nclient_id = \"" + id + "\"\nissuer = \"" + srv.URL + "\"\nclient_secret_file = \"" + secretFile + "\"\n"
		if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{filepath.Join(home, ".config"), cfgDir, cfg} {
			if err := os.Chown(p, n, n); err != nil {
				t.Fatal(err)
			}
		}
		cmd := exec.Command("setpriv", "--reuid="+uid, "--regid="+uid, "--clear-groups", "--",
			filepath.Join(root, "authwrap"), "token", "--profile", "ci")
		cmd.Env = append(serverEnv(home, srv), "AUTHWRAP_API_URL=", "AUTHWRAP_CLIENT_ID=", "CI=true")
		cmd.Dir = root
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			t.Fatal(err)
		}
		return out.String(), errb.String(), cmd.ProcessState.ExitCode()
	}

	for _, tc := range []struct {
		name  string
		path  func() string
		wants string // "" for a token
	}{
		{"own private file", func() string { return put("secret", n, 0o600, n, 0o700) }, ""},
		{"another user's file", func() string { return put("theirs", other, 0o600, n, 0o700) }, "belongs to another user"},
		{"group may write", func() string { return put("groupw", n, 0o620, n, 0o700) }, "may be written by other users"},
		{"others may read", func() string { return put("readable", n, 0o604, n, 0o700) }, "may be read by other users"},
		{"in another user's directory", func() string { return put("theirdir/secret", n, 0o600, other, 0o755) }, "belongs to another user"},
		{"in a directory anyone may write", func() string { return put("shared/secret", n, 0o600, 0, 0o777) }, "may be written by anyone"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := srv.Requests(authkittest.ClientCredentials)
			path := tc.path()
			stdout, stderr, code := run(path)
			if strings.Contains(stdout+stderr, secret) {
				t.Fatalf("the secret was printed:\n%s%s", stdout, stderr)
			}
			if tc.wants == "" {
				if code != 0 || !strings.HasPrefix(stdout, "eyJ") || srv.Requests(authkittest.ClientCredentials) != before+1 {
					t.Fatalf("exit %d, stdout %.20q, stderr:\n%s", code, stdout, stderr)
				}
				return
			}
			lines := strings.Split(strings.TrimSpace(stderr), "\n")
			if code != 1 || stdout != "" || !strings.Contains(lines[0], "error: profile ci: client_secret_file: ") ||
				!strings.Contains(lines[0], tc.wants) || len(lines) > 2 {
				t.Fatalf("exit %d, stdout %q, stderr:\n%s\nwant exit 1 and one error line saying %q", code, stdout, stderr, tc.wants)
			}
			if got := srv.Requests(authkittest.ClientCredentials); got != before {
				t.Fatalf("%d grants with a secret file that was refused", got-before)
			}
		})
	}
}
