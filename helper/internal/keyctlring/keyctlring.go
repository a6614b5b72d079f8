// Package keyctlring gives github.com/99designs/keyring's keyctl backend
// a Set that leaves nothing behind when it fails. The library makes the
// key in the session keyring (which the process possesses, so that it
// may set the key's permissions), links it into the target keyring and
// unlinks it from the session keyring; when the link fails (the kernel's
// key quota is full), it returns at once and the key, holding the item's
// data, stays in the session keyring and counts against the quota. This
// package's Set unlinks it there whatever happens, and keeps to one
// thread (a thread's session keyring may be its own). It never reads or
// removes any other key.
package keyctlring
