package helper

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/authwrap/authwrap/internal/testkeys"
)

// keyctlChildVar tells the test binary it runs as the unprivileged user
// of TestKeyctlFullLeavesNothing.
const keyctlChildVar = "AUTHWRAP_TEST_KEYCTL_FULL_CHILD"

// TestKeyctlFullLeavesNothing saves a first session into a kernel key
// quota filled so that the key can be made but not linked into
// authwrap's keyring (a link costs 4 bytes of quota). The keyring
// library's write then failed leaving the key, which holds the session's
// tokens, in the session keyring, where it counts against the quota
// until the session ends. The save must fail with nothing left: the
// quota comes back to where it was, and no session is stored. Root's
// quota is 25 MB and shared with the other tests, so it runs as a uid of
// its own (setpriv, as TestUnprivilegedUser in package main does).
func TestKeyctlFullLeavesNothing(t *testing.T) {
	if os.Getenv(keyctlChildVar) == "1" {
		keyctlFullChild(t)
		return
	}
	probe := fmt.Sprintf("authwrap-test-full-%d", os.Getpid())
	forget := testkeys.Forget(probe)
	_, err := OpenStore(StoreOptions{App: probe, Backend: "keyctl"})
	forget()
	if err != nil && !requireKeyctl() {
		t.Skipf("no kernel keyring here: %v", err)
	}
	if os.Getuid() != 0 {
		t.Skip("needs root, to run as a user with a key quota of its own")
	}
	if _, err := exec.LookPath("setpriv"); err != nil {
		t.Skip("needs setpriv (util-linux)")
	}
	t.Parallel()
	uid := strconv.Itoa(50000 + os.Getpid()%5000)
	dir, err := os.MkdirTemp("", "authwrap-keyctl-full-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "helper.test")
	b, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, b, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("setpriv", "--reuid="+uid, "--regid="+uid, "--clear-groups", "--",
		bin, "-test.run=^TestKeyctlFullLeavesNothing$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), keyctlChildVar+"=1", "HOME="+dir)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestKeyctlFullLeavesNothing") {
		t.Errorf("as uid %s: %v\n%s", uid, err, out)
	} else {
		t.Logf("as uid %s:\n%s", uid, out)
	}
}

// keyctlFullChild is the test, as the unprivileged user.
func keyctlFullChild(t *testing.T) {
	app := "authwrap-test-full"
	t.Cleanup(testkeys.Forget(app))
	t.Cleanup(func() {
		// A key the fix failed to unlink stays in the session keyring.
		_, _ = unix.KeyctlInt(unix.KEYCTL_CLEAR, unix.KEY_SPEC_SESSION_KEYRING, 0, 0, 0)
	})
	ks, err := OpenStore(StoreOptions{App: app, Backend: "keyctl"})
	if err != nil {
		t.Fatal(err)
	}
	// A thread with no session keyring gets one of its own (for its
	// life) at its first write: on one thread, made now, it is in the
	// quota measured.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if _, err := unix.KeyctlGetKeyringID(unix.KEY_SPEC_SESSION_KEYRING, true); err != nil {
		t.Fatal(err)
	}
	s := testSession("p")
	data, _ := encodeSession(s)
	// The quota a first save takes while it writes: the key (its name, a
	// NUL and the data), its link in the session keyring and its link in
	// authwrap's keyring.
	cost := 4 + len(itemKey("p")) + 1 + len(data) + 4
	const junk = "authwrap-test-junk"
	junkOverhead := 4 + len(junk) + 1
	linkFailed := 0
	for room := cost - 12; room <= cost+4; room++ {
		base, max := keyQuota(t)
		id, err := unix.AddKey("user", junk, make([]byte, max-base-room-junkOverhead), unix.KEY_SPEC_USER_KEYRING)
		if err != nil {
			t.Fatalf("filling the quota: %v", err)
		}
		filled, _ := keyQuota(t)
		err = ks.Save(s)
		switch {
		case err == nil:
			if err := ks.Delete("p"); err != nil {
				t.Fatal(err)
			}
		case !errors.Is(err, ErrKeyringFull):
			t.Fatalf("with %d bytes of quota left: Save = %v, want ErrKeyringFull", room, err)
		default:
			if strings.Contains(err.Error(), "linking") {
				linkFailed++
			}
			if _, lerr := ks.Load("p"); !errors.Is(lerr, ErrNoSession) {
				t.Errorf("with %d bytes of quota left: Load after a failed save = %v, want ErrNoSession", room, lerr)
			}
			if got := waitQuota(t, filled); got != filled {
				t.Errorf("with %d bytes of quota left, a failed save (%v) left %d bytes of keys behind", room, err, got-filled)
			}
		}
		if _, err := unix.KeyctlInt(unix.KEYCTL_UNLINK, id, unix.KEY_SPEC_USER_KEYRING, 0, 0); err != nil {
			t.Fatal(err)
		}
		if got := waitQuota(t, base); got != base {
			t.Fatalf("the quota in use is %d bytes, not back to %d", got, base)
		}
	}
	t.Logf("%d amounts of room left made the link fail", linkFailed)
	if linkFailed == 0 {
		t.Errorf("no amount of room left made the link fail: the kernel's key quota is not counted as this test expects (a key: its name, a NUL, its data; a link: 4 bytes)")
	}
}

// keyQuota returns the bytes of key quota this user has in use, and its
// limit, from /proc/key-users.
func keyQuota(t *testing.T) (used, limit int) {
	t.Helper()
	b, err := os.ReadFile("/proc/key-users")
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(b)) {
		f := strings.Fields(line)
		if len(f) == 5 && f[0] == strconv.Itoa(os.Getuid())+":" {
			u, l, _ := strings.Cut(f[4], "/")
			used, err1 := strconv.Atoi(u)
			limit, err2 := strconv.Atoi(l)
			if err1 == nil && err2 == nil {
				return used, limit
			}
		}
	}
	t.Fatalf("no line for uid %d in /proc/key-users:\n%s", os.Getuid(), b)
	return 0, 0
}

// waitQuota waits (up to 5 s) until the quota in use is want: the kernel
// frees an unlinked key's quota when it collects the key, shortly after.
// It returns the quota in use then.
func waitQuota(t *testing.T, want int) int {
	t.Helper()
	for start := time.Now(); ; time.Sleep(10 * time.Millisecond) {
		used, _ := keyQuota(t)
		if used == want || time.Since(start) > 5*time.Second {
			return used
		}
	}
}
