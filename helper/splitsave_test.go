package helper

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/99designs/keyring"

	"github.com/authwrap/authwrap/flow"
)

// faultRing is an in-memory keyring whose Nth Set fails as a full
// keyring does, after writing the item or not.
type faultRing struct {
	items map[string][]byte
	// sets counts Set calls; the one numbered failSet (from 1) fails.
	sets, failSet int
	// partial: the failing Set writes the item, then fails.
	partial bool
	// failGet: every Get after the failing Set fails.
	failGet, failed bool
	// failRemove: every Remove of an item that is there fails.
	failRemove bool
	// removed lists the keys Remove was asked for.
	removed []string
}

var errBackendDown = errors.New("the backend stopped answering")

func (r *faultRing) Get(key string) (keyring.Item, error) {
	if r.failGet && r.failed {
		return keyring.Item{}, errBackendDown
	}
	d, ok := r.items[key]
	if !ok {
		return keyring.Item{}, keyring.ErrKeyNotFound
	}
	return keyring.Item{Key: key, Data: slices.Clone(d)}, nil
}

func (r *faultRing) GetMetadata(string) (keyring.Metadata, error) {
	return keyring.Metadata{}, keyring.ErrMetadataNotSupported
}

func (r *faultRing) Set(it keyring.Item) error {
	r.sets++
	if r.sets == r.failSet {
		r.failed = true
		if r.partial {
			r.items[it.Key] = slices.Clone(it.Data)
		}
		return fmt.Errorf("adding key failed: %w", syscall.EDQUOT)
	}
	r.items[it.Key] = slices.Clone(it.Data)
	return nil
}

func (r *faultRing) Remove(key string) error {
	r.removed = append(r.removed, key)
	if _, ok := r.items[key]; !ok {
		return keyring.ErrKeyNotFound
	}
	if r.failRemove {
		return errBackendDown
	}
	delete(r.items, key)
	return nil
}

func (r *faultRing) Keys() ([]string, error) { return slices.Sorted(maps.Keys(r.items)), nil }

// TestFailedSaveLeavesNothing fails each write of a split save in turn
// (each part, then the index), with nothing of the failing item written
// and with all of it written, over no stored session, a one-item session
// and a split one. A failed save leaves the keyring exactly as it was:
// no part of the new generation stays (in a kernel keyring they would
// fill the key quota, so that the next refresh fails too), the old
// generation is never touched, and the old session reads back with the
// same tokens. An index that was written before its write failed is a
// saved session.
func TestFailedSaveLeavesNothing(t *testing.T) {
	big := testSession("p")
	big.AccessToken = flow.Secret(strings.Repeat("N", 9000))
	big.RefreshToken = "rt_new"
	data, _ := encodeSession(big)
	parts := (len(data) + maxItem - 1) / maxItem
	olds := map[string]*Session{"no session": nil, "one item": testSession("p"), "split": testSession("p")}
	olds["split"].AccessToken = flow.Secret(strings.Repeat("O", 7000))

	for name, old := range olds {
		for _, partial := range []bool{false, true} {
			for n := 1; n <= parts+1; n++ {
				t.Run(fmt.Sprintf("%s/partial=%v/set %d of %d", name, partial, n, parts+1), func(t *testing.T) {
					ring := &faultRing{items: map[string][]byte{}}
					ks := &KeyringStore{ring: ring, Backend: "fake"}
					if old != nil {
						if err := ks.Save(old); err != nil {
							t.Fatal(err)
						}
					}
					before := maps.Clone(ring.items)
					ring.sets, ring.failSet, ring.partial = 0, n, partial
					err := ks.Save(big)
					if partial && n == parts+1 {
						// The index is in place: the save happened.
						if err != nil {
							t.Fatalf("Save with the index written = %v, want nil", err)
						}
						if got, err := ks.Load("p"); err != nil || got.AccessToken != big.AccessToken || got.RefreshToken != big.RefreshToken {
							t.Fatalf("the saved session does not read back: %v", err)
						}
						if len(ring.items) != parts+1 {
							t.Errorf("keys = %v, want the index and %d parts (the old ones removed)", keys(ring), parts)
						}
						return
					}
					if !errors.Is(err, ErrKeyringFull) {
						t.Fatalf("Save = %v, want ErrKeyringFull", err)
					}
					if !maps.EqualFunc(ring.items, before, slices.Equal) {
						t.Errorf("a failed save changed the keyring:\nbefore %v\nafter  %v", slices.Sorted(maps.Keys(before)), keys(ring))
					}
					for _, k := range ring.removed {
						if _, ok := before[k]; ok {
							t.Errorf("a failed save removed %s, an item of the session stored before", k)
						}
					}
					got, err := ks.Load("p")
					switch {
					case old == nil && !errors.Is(err, ErrNoSession):
						t.Errorf("Load after a failed first save = %v, want ErrNoSession", err)
					case old != nil && (err != nil || got.AccessToken != old.AccessToken || got.RefreshToken != old.RefreshToken):
						t.Errorf("the session stored before does not read back unchanged: %v", err)
					}
				})
			}
		}
	}

	t.Run("cleanup fails", func(t *testing.T) {
		// Removing fails too: the error says so, and nothing of the old
		// session is removed or changed.
		ring := &faultRing{items: map[string][]byte{}}
		ks := &KeyringStore{ring: ring, Backend: "fake"}
		old := olds["split"]
		if err := ks.Save(old); err != nil {
			t.Fatal(err)
		}
		before := maps.Clone(ring.items)
		ring.sets, ring.failSet, ring.failRemove = 0, 3, true
		err := ks.Save(big)
		if !errors.Is(err, ErrKeyringFull) || !strings.Contains(err.Error(), "and 2 parts it wrote could not be removed") {
			t.Fatalf("Save = %v, want ErrKeyringFull saying 2 parts are left", err)
		}
		for k, v := range before {
			if !slices.Equal(ring.items[k], v) {
				t.Errorf("the old session's item %s changed", k)
			}
		}
		if got, err := ks.Load("p"); err != nil || got.AccessToken != old.AccessToken {
			t.Errorf("the session stored before does not read back: %v", err)
		}
		// Logout finds what was left by its key.
		ring.failRemove = false
		if err := ks.Delete("p"); err != nil || len(ring.items) != 0 {
			t.Errorf("Delete = %v, left %v", err, keys(ring))
		}
	})

	t.Run("index unknown", func(t *testing.T) {
		// The index write failed after writing, and the backend cannot
		// say what it holds: the new parts are kept, since the index may
		// name them, and the session reads back once the backend answers.
		ring := &faultRing{items: map[string][]byte{}}
		ks := &KeyringStore{ring: ring, Backend: "fake"}
		if err := ks.Save(olds["one item"]); err != nil {
			t.Fatal(err)
		}
		ring.sets, ring.failSet, ring.partial, ring.failGet = 0, parts+1, true, true
		if err := ks.Save(big); !errors.Is(err, ErrKeyringFull) {
			t.Fatalf("Save = %v, want ErrKeyringFull", err)
		}
		ring.failGet = false
		if got, err := ks.Load("p"); err != nil || got.AccessToken != big.AccessToken {
			t.Errorf("the session the index names does not read back: %v", err)
		}
	})
}

func keys(r *faultRing) []string { k, _ := r.Keys(); return k }
