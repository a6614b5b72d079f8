package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/authwrap/authwrap/flow/authkittest"
)

func init() { testCmds["keyquota"] = keyquotaMain }

// junkKey names the keys keyquota fill adds.
func junkKey(i int) string { return fmt.Sprintf("authwrap-test-junk.%d", i) }

// keyquotaMain fills, frees or clears the calling user's kernel key quota:
//
//	keyquota fill    add 1000-byte keys to @u until the kernel says EDQUOT
//	keyquota drop    unlink them, and wait (up to 5 s) until 2000 bytes fit
//	keyquota clear   empty @u
func keyquotaMain() {
	fail := func(err error) {
		fmt.Fprintln(os.Stderr, "keyquota:", err)
		os.Exit(1)
	}
	junk := []byte(strings.Repeat("x", 1000))
	switch strings.Join(os.Args[1:], " ") {
	case "fill":
		for i := 0; ; i++ {
			if _, err := unix.AddKey("user", junkKey(i), junk, unix.KEY_SPEC_USER_KEYRING); err != nil {
				if !errors.Is(err, unix.EDQUOT) {
					fail(err)
				}
				fmt.Printf("quota full after %d keys\n", i)
				return
			}
		}
	case "drop":
		for i := 0; ; i++ {
			id, err := unix.KeyctlSearch(unix.KEY_SPEC_USER_KEYRING, "user", junkKey(i), 0)
			if err != nil {
				break
			}
			if _, err := unix.KeyctlInt(unix.KEYCTL_UNLINK, id, unix.KEY_SPEC_USER_KEYRING, 0, 0); err != nil {
				fail(err)
			}
		}
		// The kernel frees the quota when it collects the keys, shortly after.
		for start := time.Now(); ; time.Sleep(20 * time.Millisecond) {
			id, err := unix.AddKey("user", "authwrap-test-room", append(junk, junk...), unix.KEY_SPEC_USER_KEYRING)
			if err == nil {
				_, _ = unix.KeyctlInt(unix.KEYCTL_UNLINK, id, unix.KEY_SPEC_USER_KEYRING, 0, 0)
				fmt.Println("quota freed")
				return
			}
			if time.Since(start) > 5*time.Second {
				fail(fmt.Errorf("quota still full after 5 s: %w", err))
			}
		}
	case "clear":
		if _, err := unix.KeyctlInt(unix.KEYCTL_CLEAR, unix.KEY_SPEC_USER_KEYRING, 0, 0, 0); err != nil {
			fail(err)
		}
	default:
		fail(errors.New("usage: keyquota fill|drop|clear"))
	}
}

// TestUnprivilegedUser runs authwrap as a user without root's powers, so
// that file permissions and the kernel's key quota apply: CI runs the
// suite as root, where neither ever fails. It needs root (to switch
// users with setpriv) and skips otherwise.
func TestUnprivilegedUser(t *testing.T) {
	// A uid with no account and no keys of its own; per process, so that
	// parallel runs do not share a quota.
	n := 60000 + os.Getpid()%5000
	uid := strconv.Itoa(n)
	root, home := otherUserRoot(t, n, "authwrap-unpriv-", "authwrap", "keyquota")
	t.Parallel()
	// A state directory this user cannot create anything in.
	readOnly := filepath.Join(root, "root-owned")
	if err := os.Mkdir(readOnly, 0o755); err != nil {
		t.Fatal(err)
	}

	srv := authkittest.NewServer(authkittest.Config{Interval: time.Second, AutoApprove: time.Millisecond,
		AccessTokenTTL: 20 * time.Second, RefreshGrace: time.Minute})
	t.Cleanup(srv.Close)
	type result struct {
		stdout, stderr string
		code           int
	}
	as := func(extraEnv []string, name string, args ...string) result {
		t.Helper()
		cmd := exec.Command("setpriv", append([]string{"--reuid=" + uid, "--regid=" + uid, "--clear-groups", "--",
			filepath.Join(root, name)}, args...)...)
		cmd.Env = serverEnv(home, srv, extraEnv...)
		cmd.Dir = root
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			t.Fatalf("%s %v: %v", name, args, err)
		}
		return result{out.String(), errb.String(), cmd.ProcessState.ExitCode()}
	}
	t.Cleanup(func() { as(nil, "keyquota", "clear") })

	t.Run("state directory not writable", func(t *testing.T) {
		ro := []string{"XDG_STATE_HOME=" + readOnly}
		before := srv.Requests(authkittest.DeviceAuthorization)
		r := as(ro, "authwrap", "login")
		if r.code != 1 || !strings.Contains(r.stderr, "error: the state directory is not usable: creating "+filepath.Join(readOnly, "authwrap")) ||
			!strings.Contains(r.stderr, "permission denied") || !strings.Contains(r.stderr, "hint: authwrap keeps its lock files in $XDG_STATE_HOME/authwrap") {
			t.Errorf("login with a read-only state directory: exit %d, stderr:\n%s", r.code, r.stderr)
		}
		if got := srv.Requests(authkittest.DeviceAuthorization); got != before {
			t.Errorf("a sign-in started (%d device authorizations) though its lock could not be taken", got-before)
		}
		// Signed in with a usable state directory, a fresh token still
		// reads without the lock; a refresh needs it and says why not.
		if r := as(nil, "authwrap", "login"); r.code != 0 {
			t.Fatalf("login: exit %d: %s", r.code, r.stderr)
		}
		fresh := as(ro, "authwrap", "token", "--min-ttl", "0s")
		if fresh.code != 0 || !strings.HasPrefix(fresh.stdout, "eyJ") {
			t.Errorf("fresh token with a read-only state directory: exit %d, stderr:\n%s", fresh.code, fresh.stderr)
		}
		time.Sleep(2100 * time.Millisecond) // past the first tenth of the token's life
		r = as(ro, "authwrap", "token", "--min-ttl", "60s")
		if r.code != 1 || !strings.Contains(r.stderr, "the state directory is not usable") {
			t.Errorf("refresh with a read-only state directory: exit %d, stderr:\n%s", r.code, r.stderr)
		}
		if again := as(nil, "authwrap", "token", "--min-ttl", "0s"); again.stdout != fresh.stdout {
			t.Error("the session changed after a refresh that could not lock")
		}
	})

	t.Run("no HOME", func(t *testing.T) {
		// A service or `env -i` leaves HOME unset, and this uid has no
		// account: authwrap keeps to a directory of its own under /tmp,
		// and refuses one that another user made there first.
		noHome := []string{"HOME=", "XDG_STATE_HOME=", "XDG_DATA_HOME=", "XDG_CONFIG_HOME="}
		own := filepath.Join(os.TempDir(), "authwrap-home-"+uid)
		t.Cleanup(func() { _ = os.RemoveAll(own) })
		// Another user got there first, leaving it open to all.
		if err := os.Mkdir(own, 0o777); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(own, 0o777); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(own, 4243, 4243); err != nil {
			t.Fatal(err)
		}
		r := as(noHome, "authwrap", "login")
		if r.code != 1 || !strings.Contains(r.stderr, own+" belongs to another user (uid 4243), not to this one (uid "+uid+")") {
			t.Errorf("login with the fallback directory squatted: exit %d, stderr:\n%s", r.code, r.stderr)
		}
		if err := os.RemoveAll(own); err != nil {
			t.Fatal(err)
		}
		if r := as(noHome, "authwrap", "login"); r.code != 0 {
			t.Fatalf("login with no HOME: exit %d: %s", r.code, r.stderr)
		}
		for _, dir := range []string{own, filepath.Join(own, ".local", "state", "authwrap"), filepath.Join(own, ".local", "share", "authwrap", "keyring")} {
			fi, err := os.Stat(dir)
			if err != nil {
				t.Fatal(err)
			}
			if st := fi.Sys().(*syscall.Stat_t); strconv.Itoa(int(st.Uid)) != uid || fi.Mode().Perm()&0o077 != 0 {
				t.Errorf("%s: owner %d, mode %v; want %s, 0700", dir, st.Uid, fi.Mode().Perm(), uid)
			}
		}
		if r := as(noHome, "authwrap", "token"); r.code != 0 || !strings.HasPrefix(r.stdout, "eyJ") {
			t.Errorf("token with no HOME: exit %d: %s", r.code, r.stderr)
		}
	})

	t.Run("config another user controls", func(t *testing.T) {
		// The config decides which hosts receive the token. One planted by
		// another user is refused on every path, the fresh-token one (no
		// lock, no private directory) included: a config directory owned
		// by another user, one reached through a symlink into a sticky
		// directory, a config file of this user's that others may write.
		// The file keyring (in this user's home): the keyctl quota test
		// below wants this uid's kernel keyring to itself.
		var kc []string
		if r := as(kc, "authwrap", "login"); r.code != 0 {
			t.Fatalf("login: exit %d: %s", r.code, r.stderr)
		}
		planted := "[profiles.default]\nhosts = [\"evil.example.com\"]\n"
		plant := func(dir string, owner int) {
			t.Helper()
			if err := os.MkdirAll(filepath.Join(dir, "authwrap"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "authwrap", "config.toml"), []byte(planted), 0o644); err != nil {
				t.Fatal(err)
			}
			for _, p := range []string{dir, filepath.Join(dir, "authwrap"), filepath.Join(dir, "authwrap", "config.toml")} {
				if err := os.Chown(p, owner, owner); err != nil {
					t.Fatal(err)
				}
			}
		}
		get := "protocol=https\nhost=evil.example.com\n\n"
		gitGet := func(env []string) result {
			t.Helper()
			cmd := exec.Command("setpriv", "--reuid="+uid, "--regid="+uid, "--clear-groups", "--", filepath.Join(root, "authwrap"), "git-credential", "get")
			cmd.Env = serverEnv(home, srv, append(kc, env...)...)
			cmd.Stdin = strings.NewReader(get)
			var out, errb bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errb
			_ = cmd.Run()
			return result{out.String(), errb.String(), cmd.ProcessState.ExitCode()}
		}
		theirs := filepath.Join(root, "theirs-config")
		plant(theirs, 4243)
		for name, env := range map[string][]string{"another user's directory": {"XDG_CONFIG_HOME=" + theirs}} {
			if r := gitGet(env); r.code == 0 || strings.Contains(r.stdout, "password=") || !strings.Contains(r.stderr, "belongs to another user (uid 4243)") {
				t.Errorf("%s: git-credential get: exit %d, stdout %q, stderr:\n%s", name, r.code, r.stdout, r.stderr)
			}
			if r := as(append(kc, env...), "authwrap", "token", "--min-ttl", "0s"); r.code == 0 || !strings.Contains(r.stderr, "belongs to another user (uid 4243)") {
				t.Errorf("%s: fresh token: exit %d, stderr:\n%s", name, r.code, r.stderr)
			}
		}
		// ~/.config/authwrap as a symlink to a directory another user made
		// in a sticky, world-writable directory (/tmp's shape).
		sticky := filepath.Join(root, "sticky")
		if err := os.Mkdir(sticky, 0o777); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(sticky, 0o777|os.ModeSticky); err != nil {
			t.Fatal(err)
		}
		plant(sticky, 4243)
		if err := os.Chown(sticky, 0, 0); err != nil {
			t.Fatal(err)
		}
		cfgHome := filepath.Join(home, "cfg-link")
		if err := os.Mkdir(cfgHome, 0o700); err != nil {
			t.Fatal(err)
		}
		n, _ := strconv.Atoi(uid)
		_ = os.Chown(cfgHome, n, n)
		if err := os.Symlink(filepath.Join(sticky, "authwrap"), filepath.Join(cfgHome, "authwrap")); err != nil {
			t.Fatal(err)
		}
		if r := gitGet([]string{"XDG_CONFIG_HOME=" + cfgHome}); r.code == 0 || strings.Contains(r.stdout, "password=") || !strings.Contains(r.stderr, "belongs to another user (uid 4243)") {
			t.Errorf("symlink into a sticky directory: exit %d, stdout %q, stderr:\n%s", r.code, r.stdout, r.stderr)
		}
		// This user's own config, writable by the group: refused with the fix.
		own := filepath.Join(home, "cfg-own")
		plant(own, n)
		_ = os.Chmod(filepath.Join(own, "authwrap", "config.toml"), 0o664)
		if r := gitGet([]string{"XDG_CONFIG_HOME=" + own}); r.code == 0 || !strings.Contains(r.stderr, "chmod go-w") {
			t.Errorf("group-writable config: exit %d, stderr:\n%s", r.code, r.stderr)
		}
		// Made private, it is used: the planted host is then this user's
		// own choice.
		_ = os.Chmod(filepath.Join(own, "authwrap", "config.toml"), 0o600)
		if r := gitGet([]string{"XDG_CONFIG_HOME=" + own}); r.code != 0 || !strings.Contains(r.stdout, "password=eyJ") {
			t.Errorf("the user's own private config: exit %d, stdout %q, stderr:\n%s", r.code, r.stdout, r.stderr)
		}
		// A CA bundle another user wrote decides which servers get the
		// refresh token: refused the same way.
		ca := filepath.Join(theirs, "ca.pem")
		_ = os.WriteFile(ca, []byte("-----BEGIN CERTIFICATE-----\n"), 0o644)
		_ = os.Chown(ca, 4243, 4243)
		if r := as(append(kc, "AUTHWRAP_CA_FILE="+ca), "authwrap", "token", "--min-ttl", "0s"); r.code == 0 || !strings.Contains(r.stderr, "--ca-file: not safe to use") {
			t.Errorf("another user's CA file: exit %d, stderr:\n%s", r.code, r.stderr)
		}
	})

	t.Run("paths another user can change", func(t *testing.T) {
		// The second review's classes: a directory a group may write (its
		// members can swap files in it), a symbolic link another user owns
		// (they can point it elsewhere between a check and a read), and
		// the CA files Go's TLS reads by itself. Each file that decides
		// where a token goes is refused, however it is named.
		n, _ := strconv.Atoi(uid)
		if r := as(nil, "authwrap", "login"); r.code != 0 {
			t.Fatalf("login: exit %d: %s", r.code, r.stderr)
		}
		evil := "[profiles.default]\nhosts = [\"evil.example.com\"]\n"
		gitGet := func(env ...string) result {
			t.Helper()
			cmd := exec.Command("setpriv", "--reuid="+uid, "--regid="+uid, "--clear-groups", "--", filepath.Join(root, "authwrap"), "git-credential", "get")
			cmd.Env = serverEnv(home, srv, env...)
			cmd.Stdin = strings.NewReader("protocol=https\nhost=evil.example.com\n\n")
			var out, errb bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errb
			_ = cmd.Run()
			return result{out.String(), errb.String(), cmd.ProcessState.ExitCode()}
		}
		mkfile := func(p, data string, m os.FileMode, owner int) {
			t.Helper()
			if err := os.WriteFile(p, []byte(data), m); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(p, m); err != nil {
				t.Fatal(err)
			}
			if err := os.Lchown(p, owner, owner); err != nil {
				t.Fatal(err)
			}
		}
		mkdir := func(p string, m os.FileMode, uid, gid int) string {
			t.Helper()
			if err := os.MkdirAll(p, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(p, m); err != nil {
				t.Fatal(err)
			}
			if err := os.Chown(p, uid, gid); err != nil {
				t.Fatal(err)
			}
			return p
		}
		// The review's example: root:team 2775, the victim's own config in
		// it. Refused on the helper's path and on the fresh-token path.
		team := mkdir(filepath.Join(root, "team"), 0o775|os.ModeSetgid, 0, 4244)
		mkdir(filepath.Join(team, "authwrap"), 0o700, n, n)
		mkfile(filepath.Join(team, "authwrap", "config.toml"), evil, 0o600, n)
		if r := gitGet("XDG_CONFIG_HOME=" + team); r.code == 0 || strings.Contains(r.stdout, "password=") || !strings.Contains(r.stderr, team+" may be written by its group") {
			t.Errorf("a config under a group-writable directory: exit %d, stdout %q, stderr:\n%s", r.code, r.stdout, r.stderr)
		}
		// Another member of the class: the keyring directory under it.
		if r := as([]string{"AUTHWRAP_KEYRING_BACKEND=file", "AUTHWRAP_FILE_DIR=" + filepath.Join(team, "authwrap", "keyring")}, "authwrap", "token"); r.code == 0 || !strings.Contains(r.stderr, "may be written by its group") {
			t.Errorf("a keyring directory under a group-writable directory: exit %d, stderr:\n%s", r.code, r.stderr)
		}
		// With the sticky bit, no member can rename the victim's file.
		_ = os.Chmod(team, 0o1775|os.ModeSetgid|os.ModeSticky)
		if r := gitGet("XDG_CONFIG_HOME=" + team); r.code != 0 || !strings.Contains(r.stdout, "password=eyJ") {
			t.Errorf("a config under a sticky group directory: exit %d, stdout %q, stderr:\n%s", r.code, r.stdout, r.stderr)
		}

		// AUTHWRAP_CONFIG through a link another user owns in their own
		// directory, pointing at the victim's own private config: the
		// owner could flip it at any moment.
		own := mkdir(filepath.Join(home, "own"), 0o700, n, n)
		mkfile(filepath.Join(own, "config.toml"), evil, 0o600, n)
		theirs := mkdir(filepath.Join(root, "theirs-links"), 0o755, 4243, 4243)
		link := filepath.Join(theirs, "config.toml")
		if err := os.Symlink(filepath.Join(own, "config.toml"), link); err != nil {
			t.Fatal(err)
		}
		_ = os.Lchown(link, 4243, 4243)
		if r := gitGet("AUTHWRAP_CONFIG=" + link); r.code == 0 || strings.Contains(r.stdout, "password=") || !strings.Contains(r.stderr, theirs+" belongs to another user (uid 4243)") {
			t.Errorf("AUTHWRAP_CONFIG through another user's link: exit %d, stdout %q, stderr:\n%s", r.code, r.stdout, r.stderr)
		}
		// The same link in a sticky directory, where the directory is fine
		// but the link is still theirs to change.
		sticky := mkdir(filepath.Join(root, "sticky-links"), 0o1777|os.ModeSticky, 0, 0)
		slink := filepath.Join(sticky, "config.toml")
		if err := os.Symlink(filepath.Join(own, "config.toml"), slink); err != nil {
			t.Fatal(err)
		}
		_ = os.Lchown(slink, 4243, 4243)
		if r := gitGet("AUTHWRAP_CONFIG=" + slink); r.code == 0 || !strings.Contains(r.stderr, slink+" belongs to another user (uid 4243)") {
			t.Errorf("AUTHWRAP_CONFIG through another user's link in a sticky directory: exit %d, stderr:\n%s", r.code, r.stderr)
		}
		// --ca-file and setup kubectl through the same link: refused before
		// anything is read.
		kube := filepath.Join(theirs, "kubeconfig")
		if err := os.Symlink(filepath.Join(own, "kubeconfig"), kube); err != nil {
			t.Fatal(err)
		}
		_ = os.Lchown(kube, 4243, 4243)
		mkfile(filepath.Join(own, "kubeconfig"), "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://evil.example.com\n", 0o600, n)
		if r := as([]string{"KUBECONFIG=" + kube}, "authwrap", "setup", "kubectl", "--cluster", "c"); r.code == 0 || !strings.Contains(r.stderr, "belongs to another user (uid 4243)") {
			t.Errorf("setup kubectl through another user's link: exit %d, stderr:\n%s", r.code, r.stderr)
		}
		if r := as([]string{"AUTHWRAP_CA_FILE=" + link}, "authwrap", "token", "--min-ttl", "0s"); r.code == 0 || !strings.Contains(r.stderr, "--ca-file: not safe to use") {
			t.Errorf("--ca-file through another user's link: exit %d, stderr:\n%s", r.code, r.stderr)
		}

		// SSL_CERT_FILE and SSL_CERT_DIR decide, as --ca-file does, which
		// server gets the refresh token: a file others may write, and a
		// certificate directory holding another user's hashed link, are
		// refused before any request is sent (a cached read, which sends
		// none, is not slowed by the check).
		openCA := filepath.Join(own, "open-ca.pem")
		mkfile(openCA, "-----BEGIN CERTIFICATE-----\n", 0o666, n)
		before := srv.Requests(authkittest.DeviceAuthorization)
		if r := as([]string{"SSL_CERT_FILE=" + openCA}, "authwrap", "login", "--force"); r.code == 0 || !strings.Contains(r.stderr, "SSL_CERT_FILE: not safe to use: "+openCA+" may be written by other users") {
			t.Errorf("a 0666 SSL_CERT_FILE: exit %d, stderr:\n%s", r.code, r.stderr)
		}
		// --verbose wraps the transport: the check stays under it.
		if r := as([]string{"SSL_CERT_FILE=" + openCA}, "authwrap", "-v", "login", "--force"); r.code == 0 || !strings.Contains(r.stderr, "SSL_CERT_FILE: not safe to use") {
			t.Errorf("a 0666 SSL_CERT_FILE with --verbose: exit %d, stderr:\n%s", r.code, r.stderr)
		}
		certDir := mkdir(filepath.Join(own, "certs"), 0o755, n, n)
		mkfile(filepath.Join(theirs, "ca.pem"), "-----BEGIN CERTIFICATE-----\n", 0o644, 4243)
		hashed := filepath.Join(certDir, "0a1b2c3d.0")
		if err := os.Symlink(filepath.Join(theirs, "ca.pem"), hashed); err != nil {
			t.Fatal(err)
		}
		_ = os.Lchown(hashed, n, n)
		if r := as([]string{"SSL_CERT_DIR=" + certDir}, "authwrap", "login", "--force"); r.code == 0 || !strings.Contains(r.stderr, "SSL_CERT_DIR: not safe to use") {
			t.Errorf("SSL_CERT_DIR with another user's certificate: exit %d, stderr:\n%s", r.code, r.stderr)
		}
		// Missing files are no safer: another user may create them after
		// the check, before Go reads them, wherever others may add to the
		// nearest directory that exists (here a sticky, world-writable
		// one, /tmp's shape).
		open := mkdir(filepath.Join(root, "open-tmp"), 0o1777|os.ModeSticky, 0, 0)
		for _, v := range []string{"SSL_CERT_FILE=" + filepath.Join(open, "corp", "ca.pem"), "SSL_CERT_DIR=" + filepath.Join(open, "corp-certs")} {
			name, _, _ := strings.Cut(v, "=")
			if r := as([]string{v}, "authwrap", "login", "--force"); r.code == 0 || !strings.Contains(r.stderr, name+": not safe to use: "+open+" may be written by others") {
				t.Errorf("a missing %s under a directory anyone may add to: exit %d, stderr:\n%s", name, r.code, r.stderr)
			}
		}
		// The same through a link of the user's own, in their own
		// directory, to a place in it that does not exist yet.
		dangling := filepath.Join(own, "certs-later")
		if err := os.Symlink(filepath.Join(open, "later"), dangling); err != nil {
			t.Fatal(err)
		}
		_ = os.Lchown(dangling, n, n)
		for _, v := range []string{"SSL_CERT_FILE=" + filepath.Join(dangling, "ca.pem"), "SSL_CERT_DIR=" + dangling} {
			name, _, _ := strings.Cut(v, "=")
			if r := as([]string{v}, "authwrap", "login", "--force"); r.code == 0 || !strings.Contains(r.stderr, name+": not safe to use: "+dangling+" is a symbolic link to something that does not exist") {
				t.Errorf("a missing %s through a dangling link: exit %d, stderr:\n%s", name, r.code, r.stderr)
			}
		}
		if got := srv.Requests(authkittest.DeviceAuthorization); got != before {
			t.Errorf("%d sign-ins started with untrusted CA files", got-before)
		}
		if r := as([]string{"SSL_CERT_FILE=" + openCA}, "authwrap", "token", "--min-ttl", "0s"); r.code != 0 {
			t.Errorf("a cached read sends nothing, so needs no CA: exit %d, stderr:\n%s", r.code, r.stderr)
		}
	})

	t.Run("keyctl quota full", func(t *testing.T) {
		kc := []string{"AUTHWRAP_KEYRING_BACKEND=keyctl"}
		if r := as(kc, "authwrap", "login"); r.code != 0 {
			t.Fatalf("login: exit %d: %s", r.code, r.stderr)
		}
		before := as(kc, "authwrap", "token", "--min-ttl", "0s").stdout
		if r := as(nil, "keyquota", "fill"); r.code != 0 {
			t.Fatalf("keyquota fill: %s", r.stderr)
		}
		time.Sleep(2100 * time.Millisecond) // past the first tenth of the token's life
		refreshes := srv.Requests(authkittest.Refresh)
		r := as(kc, "authwrap", "token", "--min-ttl", "60s")
		if srv.Requests(authkittest.Refresh) == refreshes {
			t.Fatal("no refresh was attempted")
		}
		if r.code != 0 || r.stdout != before {
			t.Errorf("with the quota full, token should serve the stored, still valid token: exit %d", r.code)
		}
		if !strings.Contains(r.stderr, "warning: could not refresh the session for default (the refreshed session could not be saved: saving to the keyctl keyring: the keyring is full:") ||
			!strings.Contains(r.stderr, "disk quota exceeded") {
			t.Errorf("stderr does not say the keyring is full:\n%s", r.stderr)
		}
		if r := as(nil, "keyquota", "drop"); r.code != 0 {
			t.Fatalf("keyquota drop: %s", r.stderr)
		}
		r = as(kc, "authwrap", "token", "--min-ttl", "60s")
		if r.code != 0 || r.stdout == before || strings.Contains(r.stderr, "error") || strings.Contains(r.stderr, "could not") {
			t.Errorf("with room again, token should refresh and save: exit %d, stderr:\n%s", r.code, r.stderr)
		}
		if again := as(kc, "authwrap", "token", "--min-ttl", "0s"); again.stdout != r.stdout {
			t.Error("the refreshed session was not saved")
		}
	})

	// exec --serve stays the command's parent: the command (the same
	// user) must not read what authwrap took out of its environment (the
	// file keyring's passphrase) from /proc/PPID/environ.
	t.Run("exec --serve hides its environment", func(t *testing.T) {
		if r := as(nil, "authwrap", "login"); r.code != 0 {
			t.Fatalf("login: exit %d: %s", r.code, r.stderr)
		}
		r := as(nil, "authwrap", "exec", "--serve", "--", "sh", "-c", `cat /proc/$PPID/environ | tr '\0' '\n' | grep -c AUTHWRAP_FILE_PASSPHRASE=; exit 0`)
		if r.code != 0 || strings.TrimSpace(r.stdout) != "0" {
			t.Errorf("the command read its parent's environment: exit %d, %q matching lines, stderr:\n%s", r.code, strings.TrimSpace(r.stdout), r.stderr)
		}
	})
}
