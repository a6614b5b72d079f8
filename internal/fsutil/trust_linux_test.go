package fsutil

import (
	"errors"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"golang.org/x/sys/unix"
)

// TestReadTrustedSwap: a file swapped for another between the check and
// the read (renameat2's RENAME_EXCHANGE, as the review's attacker did)
// never has its contents returned: what is read is the file that was
// checked. The swap here is this user's own (no second user needed): the
// untrusted file is one others may write.
func TestReadTrustedSwap(t *testing.T) {
	dir := t.TempDir()
	good, bad := filepath.Join(dir, "config.toml"), filepath.Join(dir, "planted.toml")
	if err := os.WriteFile(good, []byte("good"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte("bad"), 0o666); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(bad, 0o666); err != nil {
		t.Fatal(err)
	}
	var stop atomic.Bool
	done := make(chan error, 1)
	go func() {
		for !stop.Load() {
			if err := unix.Renameat2(unix.AT_FDCWD, good, unix.AT_FDCWD, bad, unix.RENAME_EXCHANGE); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	var reads, refusals int
	for range 20000 {
		data, err := ReadTrusted(good)
		switch {
		case err == nil && string(data) == "good":
			reads++
		case err == nil:
			t.Fatalf("read %q, the contents of a file others may write", data)
		case errors.Is(err, ErrUntrusted):
			refusals++
		default:
			t.Fatalf("ReadTrusted: %v", err)
		}
	}
	stop.Store(true)
	if err := <-done; err != nil {
		t.Skipf("renameat2 RENAME_EXCHANGE: %v", err)
	}
	if reads == 0 || refusals == 0 {
		t.Logf("the swap was not seen both ways (%d reads, %d refusals)", reads, refusals)
	}
}
