package helper

import (
	"errors"
	"strings"

	"github.com/99designs/keyring"
)

// scopedRing keeps one program's items apart on a backend whose items
// every program shares under the same names: the Secret Service's "login"
// collection, where the keyring library files an item under its key alone.
// Keys are stored as "APP/KEY" (profile names and app names hold no '/').
//
// Items written before keys were scoped (under the bare key) are still
// read, and removed when their key is written or removed, but only when
// their label says this program wrote them: another program's item under
// the same bare key is never read or touched.
type scopedRing struct {
	keyring.Keyring
	prefix string // "APP/"
	label  string // what every label this program writes starts with
}

func newScopedRing(ring keyring.Keyring, app string) *scopedRing {
	return &scopedRing{Keyring: ring, prefix: app + "/", label: app + " session ("}
}

// legacy returns the unscoped item under key if this program wrote it.
func (r *scopedRing) legacy(key string) (keyring.Item, bool) {
	it, err := r.Keyring.Get(key)
	if err != nil || !strings.HasPrefix(it.Label, r.label) {
		return keyring.Item{}, false
	}
	return it, true
}

func (r *scopedRing) Get(key string) (keyring.Item, error) {
	it, err := r.Keyring.Get(r.prefix + key)
	if errors.Is(err, keyring.ErrKeyNotFound) {
		if old, ok := r.legacy(key); ok {
			return old, nil
		}
	}
	it.Key = key
	return it, err
}

func (r *scopedRing) GetMetadata(key string) (keyring.Metadata, error) {
	return r.Keyring.GetMetadata(r.prefix + key)
}

func (r *scopedRing) Set(it keyring.Item) error {
	key := it.Key
	it.Key = r.prefix + key
	if err := r.Keyring.Set(it); err != nil {
		return err
	}
	// The unscoped copy would be read again if this one went.
	if _, ok := r.legacy(key); ok {
		_ = r.Keyring.Remove(key)
	}
	return nil
}

func (r *scopedRing) Remove(key string) error {
	err := r.Keyring.Remove(r.prefix + key)
	if _, ok := r.legacy(key); ok {
		if lerr := r.Keyring.Remove(key); lerr == nil && errors.Is(err, keyring.ErrKeyNotFound) {
			err = nil
		}
	}
	return err
}

// Keys lists this program's keys: its scoped ones, and the unscoped
// sessions it wrote before keys were scoped.
func (r *scopedRing) Keys() ([]string, error) {
	all, err := r.Keyring.Keys()
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var keys []string
	for _, k := range all {
		if name, ok := strings.CutPrefix(k, r.prefix); ok && !seen[name] {
			seen[name] = true
			keys = append(keys, name)
		}
	}
	for _, k := range all {
		if strings.HasPrefix(k, itemKey("")) && !seen[k] {
			if _, ok := r.legacy(k); ok {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	return keys, nil
}
