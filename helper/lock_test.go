package helper

import (
	"context"
	"errors"
	"testing"
	"time"
)

// observed counts the calls to Done: a context that starts catching
// signals when first observed (authwrap's) relies on them.
type observed struct {
	context.Context
	n int
}

func (o *observed) Done() <-chan struct{} { o.n++; return o.Context.Done() }

// TestLockObservesContext: taking the session lock observes the caller's
// context even when the lock is free (every write to a session happens
// under it), and a cancelled caller does not take it.
func TestLockObservesContext(t *testing.T) {
	dir := t.TempDir()
	ctx := &observed{Context: context.Background()}
	unlock, err := lockProfile(ctx, lockWait{dir: dir, profile: "p", max: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	unlock()
	if ctx.n == 0 {
		t.Fatal("the free lock was taken without observing the context")
	}

	why := errors.New("stopped by the test")
	cctx, cancel := context.WithCancelCause(context.Background())
	cancel(why)
	if _, err := lockProfile(cctx, lockWait{dir: dir, profile: "p", max: time.Second}); !errors.Is(err, why) {
		t.Fatalf("cancelled caller: %v, want its cause", err)
	}
	// The lock is still free for the next caller.
	unlock, err = lockProfile(context.Background(), lockWait{dir: dir, profile: "p", max: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	unlock()
}
