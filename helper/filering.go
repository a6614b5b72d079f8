package helper

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/99designs/keyring"

	"github.com/authwrap/authwrap/internal/fsutil"
)

// stagingPrefix starts the name of the directory a file keyring item is
// written in before it is renamed into place.
const stagingPrefix = ".staging-"

// atomicFileRing is the keyring library's file backend with one change:
// Set writes the encrypted item into a fresh staging directory beside the
// others, flushes it to disk and renames it over the old file. The
// library writes in place (truncate, then write), so a full disk, a crash
// or a reader at the wrong moment would see a cut session; here the old
// item stays whole until the new one is complete.
type atomicFileRing struct {
	keyring.Keyring
	dir string
	cfg keyring.Config
}

// openFileRing opens the file backend on cfg.FileDir with atomic Set. The
// passphrase is asked once for both the directory and its staging copies.
func openFileRing(cfg keyring.Config) (keyring.Keyring, error) {
	ask := cfg.FilePasswordFunc
	var (
		mu     sync.Mutex
		asked  bool
		pass   string
		askErr error
	)
	// Asked once: the answer, or the failure (an empty line, Ctrl-C),
	// stands for the rest of the process.
	cfg.FilePasswordFunc = func(prompt string) (string, error) {
		mu.Lock()
		defer mu.Unlock()
		if !asked {
			asked = true
			pass, askErr = ask(prompt)
		}
		return pass, askErr
	}
	ring, err := keyring.Open(cfg)
	if err != nil {
		return nil, err
	}
	return &atomicFileRing{Keyring: ring, dir: cfg.FileDir, cfg: cfg}, nil
}

// creatingPrompt starts the prompt the file keyring's passphrase function
// gets when there is no keyring yet: the passphrase it returns creates
// it, so a person should be asked twice.
const creatingPrompt = "creating the file keyring"

// unlock asks for the passphrase now (once for the process), so that a
// sign-in asks before it shows a code rather than after the approval: to
// create the keyring when it holds nothing yet, else to open it, checked
// against an item so that a wrong one is said at once.
func (r *atomicFileRing) unlock() error {
	keys, err := r.Keys()
	if err != nil {
		return err
	}
	// Only this program's items: a directory shared with other files (a lock
	// file, say) has nothing else to decrypt.
	i := slices.IndexFunc(keys, func(k string) bool { return strings.HasPrefix(k, itemKey("")) })
	if i < 0 {
		_, err := r.cfg.FilePasswordFunc(creatingPrompt + " in " + r.dir)
		return err
	}
	_, err = r.Get(keys[i])
	return classify(err)
}

// Set implements keyring.Keyring: write aside, sync, rename.
func (r *atomicFileRing) Set(it keyring.Item) error {
	stage, err := os.MkdirTemp(r.dir, stagingPrefix)
	if err != nil {
		return err
	}
	defer os.RemoveAll(stage)
	cfg := r.cfg
	cfg.FileDir = stage
	staged, err := keyring.Open(cfg)
	if err != nil {
		return err
	}
	if err := staged.Set(it); err != nil {
		return err
	}
	entries, err := os.ReadDir(stage)
	if err != nil {
		return err
	}
	if len(entries) != 1 {
		return fmt.Errorf("file keyring: expected one staged item in %s, found %d", stage, len(entries))
	}
	name := entries[0].Name()
	if err := fsutil.SyncFile(filepath.Join(stage, name)); err != nil {
		return err
	}
	return fsutil.Replace(filepath.Join(stage, name), filepath.Join(r.dir, name))
}

// Get implements keyring.Keyring; on Windows it waits (fsutil.Retry)
// while another process replaces the item.
func (r *atomicFileRing) Get(key string) (keyring.Item, error) {
	var it keyring.Item
	err := fsutil.Retry(func() error {
		var err error
		it, err = r.Keyring.Get(key)
		return err
	})
	return it, err
}

// Keys implements keyring.Keyring, leaving out staging directories.
func (r *atomicFileRing) Keys() ([]string, error) {
	keys, err := r.Keyring.Keys()
	out := keys[:0]
	for _, k := range keys {
		if !strings.HasPrefix(k, stagingPrefix) {
			out = append(out, k)
		}
	}
	return out, err
}
