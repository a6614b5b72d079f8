package helper

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/99designs/keyring"

	"github.com/authwrap/authwrap/flow"
)

// sharedStore is a program's store on a collection every program shares
// under bare keys, as the Secret Service's "login" collection is.
func sharedStore(shared keyring.Keyring, app string) *KeyringStore {
	return &KeyringStore{ring: newScopedRing(shared, app), app: app, Backend: string(keyring.SecretServiceBackend)}
}

// Two programs built on the library (authwrap and a CLI wearing it as its
// own) keep sessions of the same profile name in one shared collection:
// neither reads, overwrites, lists or deletes the other's, whether a
// session is one item or split into parts.
func TestSharedCollectionKeepsProgramsApart(t *testing.T) {
	shared := keyring.NewArrayKeyring(nil)
	a, m := sharedStore(shared, "authwrap"), sharedStore(shared, "mycli")
	sa, sm := testSession("default"), testSession("default")
	sa.AccessToken, sm.AccessToken = "at_authwrap", flow.Secret(strings.Repeat("m", 9000)) // mycli's is split
	for _, c := range []struct {
		ks *KeyringStore
		s  *Session
	}{{a, sa}, {m, sm}} {
		if err := c.ks.Save(c.s); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		ks   *KeyringStore
		want flow.Secret
	}{{a, sa.AccessToken}, {m, sm.AccessToken}} {
		got, err := c.ks.Load("default")
		if err != nil || got.AccessToken != c.want {
			t.Fatalf("%s reads another program's session (or none): %v", c.ks.app, err)
		}
		if ps, err := c.ks.Profiles(); err != nil || !slices.Equal(ps, []string{"default"}) {
			t.Errorf("%s's profiles = %v, %v; want [default]", c.ks.app, ps, err)
		}
	}
	keys, _ := shared.Keys()
	for _, k := range keys {
		if !strings.HasPrefix(k, "authwrap/") && !strings.HasPrefix(k, "mycli/") {
			t.Errorf("item %q in the shared collection names no program", k)
		}
	}

	if n, err := m.DeleteAll(); err != nil || n == 0 {
		t.Fatalf("mycli's DeleteAll = %d, %v", n, err)
	}
	if got, err := a.Load("default"); err != nil || got.AccessToken != sa.AccessToken {
		t.Fatalf("mycli's logout --all took authwrap's session: %v", err)
	}
	if _, err := m.Load("default"); !errors.Is(err, ErrNoSession) {
		t.Errorf("mycli's session after its DeleteAll: %v", err)
	}
	if err := a.Delete("default"); err != nil {
		t.Fatal(err)
	}
	if keys, _ := shared.Keys(); len(keys) != 0 {
		t.Errorf("items left after both programs removed theirs: %v", keys)
	}
}

// Sessions stored before keys were scoped (under the bare key) are still
// read, and go when the session is saved again or removed; another
// program's item under the same bare key is never read or touched.
func TestSharedCollectionUnscopedSessions(t *testing.T) {
	for _, split := range []bool{false, true} {
		shared := keyring.NewArrayKeyring(nil)
		// What the store wrote before: the ring itself, no scope.
		old := &KeyringStore{ring: shared, app: "authwrap", Backend: "secret-service"}
		s := testSession("default")
		if split {
			s.AccessToken = flow.Secret(strings.Repeat("o", 7000))
		}
		if err := old.Save(s); err != nil {
			t.Fatal(err)
		}
		stranger := keyring.Item{Key: itemKey("work"), Data: []byte("not ours"), Label: "othertool session (work)"}
		_ = shared.Set(stranger)

		ks := sharedStore(shared, "authwrap")
		got, err := ks.Load("default")
		if err != nil || got.AccessToken != s.AccessToken {
			t.Fatalf("split=%v: the session stored before is not read: %v", split, err)
		}
		if ps, _ := ks.Profiles(); !slices.Equal(ps, []string{"default"}) {
			t.Errorf("split=%v: profiles = %v, want [default] (not the other program's work)", split, ps)
		}
		if _, err := ks.Load("work"); !errors.Is(err, ErrNoSession) {
			t.Errorf("split=%v: another program's item read as a session: %v", split, err)
		}
		s.AccessToken = "at_refreshed"
		if err := ks.Save(s); err != nil {
			t.Fatal(err)
		}
		keys, _ := shared.Keys()
		slices.Sort(keys)
		if want := []string{"authwrap/" + itemKey("default"), itemKey("work")}; !slices.Equal(keys, want) {
			t.Errorf("split=%v: after a save, keys = %v, want %v (the unscoped items gone, the stranger's kept)", split, keys, want)
		}
		if got, err := ks.Load("default"); err != nil || got.AccessToken != "at_refreshed" {
			t.Fatalf("split=%v: the saved session does not read back: %v", split, err)
		}
		if _, err := ks.DeleteAll(); err != nil {
			t.Fatal(err)
		}
		if it, err := shared.Get(itemKey("work")); err != nil || string(it.Data) != "not ours" {
			t.Errorf("split=%v: DeleteAll touched another program's item: %v", split, err)
		}
	}

	// Removed without a save in between: logout finds it too.
	shared := keyring.NewArrayKeyring(nil)
	old := &KeyringStore{ring: shared, app: "authwrap", Backend: "secret-service"}
	s := testSession("default")
	s.AccessToken = flow.Secret(strings.Repeat("o", 7000))
	if err := old.Save(s); err != nil {
		t.Fatal(err)
	}
	if err := sharedStore(shared, "authwrap").Delete("default"); err != nil {
		t.Fatal(err)
	}
	if keys, _ := shared.Keys(); len(keys) != 0 {
		t.Errorf("logout left the unscoped session's items: %v", keys)
	}
}
