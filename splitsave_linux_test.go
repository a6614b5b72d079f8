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
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/authwrap/authwrap/flow/authkittest"
)

func init() { testCmds["splitsave-keys"] = splitsaveKeysMain }

// splitsaveKeysMain fills or clears the calling user's kernel key quota:
//
//	splitsave-keys leave N   add keys to @u until N bytes of quota are left
//	splitsave-keys clear     empty @u
func splitsaveKeysMain() {
	fail := func(err error) {
		fmt.Fprintln(os.Stderr, "splitsave-keys:", err)
		os.Exit(1)
	}
	switch {
	case len(os.Args) == 3 && os.Args[1] == "leave":
		leave, err := strconv.Atoi(os.Args[2])
		if err != nil {
			fail(err)
		}
		for i := 0; ; i++ {
			used, limit, err := keyQuotaOf(os.Getuid())
			if err != nil {
				fail(err)
			}
			desc := fmt.Sprintf("authwrap-test-fill.%d", i)
			// A key costs its name, a NUL and its data; its link, 4 bytes.
			n := min(limit-used-leave-len(desc)-5, 16<<10)
			if n <= 0 {
				return
			}
			if _, err := unix.AddKey("user", desc, make([]byte, n), unix.KEY_SPEC_USER_KEYRING); err != nil {
				fail(err)
			}
		}
	case len(os.Args) == 2 && os.Args[1] == "clear":
		if _, err := unix.KeyctlInt(unix.KEYCTL_CLEAR, unix.KEY_SPEC_USER_KEYRING, 0, 0, 0); err != nil {
			fail(err)
		}
	default:
		fail(errors.New("usage: splitsave-keys leave N | clear"))
	}
}

// keyQuotaOf returns the bytes of kernel key quota uid has in use and its
// limit, from /proc/key-users.
func keyQuotaOf(uid int) (used, limit int, err error) {
	b, err := os.ReadFile("/proc/key-users")
	if err != nil {
		return 0, 0, err
	}
	for line := range strings.Lines(string(b)) {
		f := strings.Fields(line)
		if len(f) == 5 && f[0] == strconv.Itoa(uid)+":" {
			u, l, _ := strings.Cut(f[4], "/")
			used, err1 := strconv.Atoi(u)
			limit, err2 := strconv.Atoi(l)
			if err1 == nil && err2 == nil {
				return used, limit, nil
			}
		}
	}
	return 0, 0, fmt.Errorf("no line for uid %d in /proc/key-users", uid)
}

// bigRefresh is a refresh answer of about 132 kB that the server sends
// without rotating anything: an access and a refresh token of 16 kB each
// (the most flow accepts) and a 100 kB email address. The session it
// makes is split into some 50 parts, within MaxSessionBytes.
func bigRefresh() authkittest.Fault {
	return authkittest.Answer(200, map[string]any{
		"access_token":  "eyJ" + strings.Repeat("A", 16<<10-3),
		"refresh_token": "rt_" + strings.Repeat("R", 16<<10-3),
		"token_type":    "Bearer", "expires_in": 300,
		"user": map[string]string{"id": "user_01DEVUSER0000000000000000", "email": strings.Repeat("e", 100<<10) + "@example.com"},
	})
}

// TestKeyctlBigRefreshLeavesNothing: a refresh answer too large for the
// kernel key quota (nearly full, as the user's other keys leave it) fails
// to save with "the keyring is full", and the token served is the stored
// one. The parts already written are removed again: the quota in use
// comes back to where it was, the stored session reads back unchanged,
// and the next ordinary refresh saves. (They stayed, and the next refresh
// failed for want of the quota they held.) Run as a uid of its own, as
// TestUnprivilegedUser is, for a quota that applies.
func TestKeyctlBigRefreshLeavesNothing(t *testing.T) {
	uidN := 55000 + os.Getpid()%5000
	uid := strconv.Itoa(uidN)
	root, home := otherUserRoot(t, uidN, "authwrap-splitsave-", "authwrap", "splitsave-keys")
	t.Parallel()
	srv := authkittest.NewServer(authkittest.Config{Interval: time.Second, AutoApprove: time.Millisecond,
		AccessTokenTTL: 20 * time.Second, RefreshGrace: time.Minute})
	t.Cleanup(srv.Close)
	type result struct {
		stdout, stderr string
		code           int
	}
	as := func(name string, args ...string) result {
		t.Helper()
		cmd := exec.Command("setpriv", append([]string{"--reuid=" + uid, "--regid=" + uid, "--clear-groups", "--",
			filepath.Join(root, name)}, args...)...)
		cmd.Env = serverEnv(home, srv, "AUTHWRAP_KEYRING_BACKEND=keyctl")
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
	t.Cleanup(func() { as("splitsave-keys", "clear") })
	// waitQuota waits (up to 5 s) until the quota in use is at most
	// want: the kernel frees an unlinked key's quota when it collects the
	// key (and the session keyring each thread of a process made, after
	// it exits).
	waitQuota := func(want int) int {
		for start := time.Now(); ; time.Sleep(20 * time.Millisecond) {
			used, _, err := keyQuotaOf(uidN)
			if err != nil {
				t.Fatal(err)
			}
			if used <= want || time.Since(start) > 5*time.Second {
				return used
			}
		}
	}

	if r := as("authwrap", "login"); r.code != 0 {
		t.Fatalf("login: exit %d: %s", r.code, r.stderr)
	}
	before := as("authwrap", "token", "--min-ttl", "0s").stdout
	// Room for ordinary refreshes (a session of about 1.6 kB, written
	// beside the old one until the kernel collects that), not for 132 kB.
	if r := as("splitsave-keys", "leave", "8000"); r.code != 0 {
		t.Fatalf("splitsave-keys leave: %s", r.stderr)
	}
	settled, _, err := keyQuotaOf(uidN)
	if err != nil {
		t.Fatal(err)
	}

	srv.Fail(authkittest.Refresh, bigRefresh())
	time.Sleep(2100 * time.Millisecond) // past the first tenth of the token's life
	r := as("authwrap", "token", "--min-ttl", "60s")
	if r.code != 0 || r.stdout != before {
		t.Errorf("with the big answer unsaved, token should serve the stored, still valid token: exit %d", r.code)
	}
	if !strings.Contains(r.stderr, "the refreshed session could not be saved: saving to the keyctl keyring: the keyring is full") {
		t.Errorf("stderr does not say the keyring is full:\n%.2000s", r.stderr)
	}
	if got := waitQuota(settled); got > settled {
		t.Errorf("after the failed save the quota in use is %d bytes, %d more than before it: its parts were left behind", got, got-settled)
	}
	if again := as("authwrap", "token", "--min-ttl", "0s"); again.code != 0 || again.stdout != before {
		t.Errorf("the stored session changed after a failed save: exit %d, stderr:\n%s", again.code, again.stderr)
	}
	r = as("authwrap", "token", "--min-ttl", "60s")
	if r.code != 0 || r.stdout == before || strings.Contains(r.stderr, "error") || strings.Contains(r.stderr, "could not") {
		t.Errorf("the next ordinary refresh should save: exit %d, stderr:\n%.2000s", r.code, r.stderr)
	}
	if again := as("authwrap", "token", "--min-ttl", "0s"); again.stdout != r.stdout {
		t.Error("the refreshed session was not saved")
	}
}

// TestFileBigRefreshDiskFull is the same on the file keyring, on a
// 128 KiB tmpfs (in a private mount namespace, as disk_full.txtar has
// it): the 132 kB answer's parts fill the disk part way through and the
// save fails with "the keyring is full". The keyring directory is then
// as it was, byte for byte (no part, no staging directory), and the next
// ordinary refresh saves. (The parts stayed, holding the disk, and the
// next refresh failed with "no space left on device".)
func TestFileBigRefreshDiskFull(t *testing.T) {
	if os.Getenv("AUTHWRAP_REQUIRE_NAMESPACES") != "1" && exec.Command("unshare", "-rm", "true").Run() != nil {
		t.Skip("needs a user and mount namespace (unshare -rm)")
	}
	t.Parallel()
	work := t.TempDir()
	bin := filepath.Join(work, "bin")
	if err := os.Mkdir(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if err := copyFile(self, filepath.Join(bin, "authwrap"), 0o755); err != nil {
		t.Fatal(err)
	}
	home := filepath.Join(work, "home")
	if err := os.Mkdir(home, 0o700); err != nil {
		t.Fatal(err)
	}
	srv := authkittest.NewServer(authkittest.Config{Interval: time.Second, AutoApprove: time.Millisecond,
		AccessTokenTTL: 20 * time.Second, RefreshGrace: time.Minute})
	t.Cleanup(srv.Close)
	// The big answer is the first refresh the server is asked for.
	srv.Fail(authkittest.Refresh, bigRefresh())
	script := `
set -u
dir="$XDG_DATA_HOME/authwrap"
mkdir -p "$dir"
mount -t tmpfs -o size=128k,mode=0700 tmpfs "$dir" || exit 1
authwrap login 2>/dev/null; echo "login rc=$?"
before=$(authwrap token --min-ttl 0s)
ls -A "$dir/keyring" > "$WORK/files.before"
cp -p "$dir/keyring/session.default" "$WORK/session.before"
state=$(authwrap status --json | grep expires_at)
# Past the first tenth of the token's life, so --min-ttl 60s refreshes.
sleep 2.1
got=$(authwrap token --min-ttl 60s 2>"$WORK/big.err"); rc=$?
[ "$got" = "$before" ] && echo "big: rc=$rc, same token"
grep -q 'the refreshed session could not be saved: saving to the file keyring: the keyring is full: .*no space left on device' "$WORK/big.err" && echo "big: the keyring is full"
ls -A "$dir/keyring" | cmp -s - "$WORK/files.before" && echo "big: no files left"
cmp -s "$dir/keyring/session.default" "$WORK/session.before" && echo "big: session file unchanged"
[ "$(authwrap status --json | grep expires_at)" = "$state" ] && [ "$(authwrap token --min-ttl 0s)" = "$before" ] && echo "big: old session reads back"
authwrap status --json | grep -q '"reason": "the refreshed session could not be saved"' && echo "big: status says the save failed"
got=$(authwrap token --min-ttl 60s 2>"$WORK/next.err"); rc=$?
[ "$got" != "$before" ] && [ "$(authwrap token --min-ttl 0s)" = "$got" ] && echo "next: rc=$rc, new token saved"
ls -A "$dir/keyring" | cmp -s - "$WORK/files.before" && echo "next: no files left"
authwrap status --json | grep -q last_refresh_failure || echo "next: the failure is forgotten"
true
`
	cmd := exec.Command("unshare", "-rm", "sh", "-c", script)
	cmd.Env = append(serverEnv(home, srv, "WORK="+work), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the script: %v\n%s", err, out)
	}
	want := `login rc=0
big: rc=0, same token
big: the keyring is full
big: no files left
big: session file unchanged
big: old session reads back
big: status says the save failed
next: rc=0, new token saved
next: no files left
next: the failure is forgotten
`
	if string(out) != want {
		files, _ := os.ReadFile(filepath.Join(work, "files.before"))
		bigErr, _ := os.ReadFile(filepath.Join(work, "big.err"))
		nextErr, _ := os.ReadFile(filepath.Join(work, "next.err"))
		t.Errorf("got:\n%s\nwant:\n%s\nfiles before: %s\nstderr of the big refresh: %.1000s\nstderr of the next: %.1000s",
			out, want, files, bigErr, nextErr)
	}
	if n := srv.Requests(authkittest.Refresh); n != 2 {
		t.Errorf("refresh requests = %d, want 2", n)
	}
}
