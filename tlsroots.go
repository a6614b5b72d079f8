package main

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/authwrap/authwrap/internal/fsutil"
)

// certEnvHonoured reports whether Go's TLS reads SSL_CERT_FILE and
// SSL_CERT_DIR here: on Linux and the other Unix systems, not on macOS,
// iOS or Windows, whose platform verifiers ignore them.
func certEnvHonoured() bool {
	switch runtime.GOOS {
	case "darwin", "ios", "windows", "plan9":
		return false
	}
	return true
}

// checkCertEnv holds SSL_CERT_FILE and SSL_CERT_DIR to the rule --ca-file
// follows: the certificates they name decide which servers receive the
// refresh token, so a file or directory another user could have written
// (or could swap, through the path to it) is refused. In SSL_CERT_DIR,
// every entry Go would read is checked; entries that are not files (Go
// skips them) are skipped. Nothing is checked where Go ignores the
// variables.
func checkCertEnv() error {
	if !certEnvHonoured() {
		return nil
	}
	if f := os.Getenv("SSL_CERT_FILE"); f != "" {
		err := fsutil.CheckTrusted(f)
		if errors.Is(err, os.ErrNotExist) {
			// Missing now: whoever may create it before Go reads it must
			// be no one else.
			err = checkMissing(f)
		}
		if err != nil {
			return fmt.Errorf("SSL_CERT_FILE: %w", err)
		}
	}
	for _, dir := range filepath.SplitList(os.Getenv("SSL_CERT_DIR")) {
		if dir == "" {
			continue
		}
		if err := fsutil.CheckTrustedDir(dir); errors.Is(err, os.ErrNotExist) {
			if err := checkMissing(dir); err != nil {
				return fmt.Errorf("SSL_CERT_DIR: %w", err)
			}
			continue
		} else if err != nil {
			return fmt.Errorf("SSL_CERT_DIR: %w", err)
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			continue // Go skips a directory it cannot read
		}
		for _, e := range entries {
			p := filepath.Join(dir, e.Name())
			if fi, err := os.Stat(p); err != nil || !fi.Mode().IsRegular() {
				continue // Go reads only what it can read as a file
			}
			if err := fsutil.CheckTrusted(p); err != nil {
				return fmt.Errorf("SSL_CERT_DIR: %w", err)
			}
		}
	}
	return nil
}

// checkMissing refuses a missing path that someone else could create
// between the check and Go's reading it: the nearest directory above it
// that exists must be one no one else may add to (so /tmp, sticky and
// open to all, is refused), and the path to it must be safe. A symbolic
// link on the way whose target does not exist is refused: Go would
// follow it to wherever it points, once someone creates that.
func checkMissing(path string) error {
	for p := path; ; p = filepath.Dir(p) {
		fi, err := os.Lstat(p)
		switch {
		case err == nil && fi.Mode()&os.ModeSymlink != 0:
			if _, serr := os.Stat(p); serr != nil {
				return fmt.Errorf("%w: %s is a symbolic link to something that does not exist (yet): whoever creates it decides what is trusted", fsutil.ErrUntrusted, p)
			}
			return fsutil.CheckTrustedDir(p)
		case err == nil:
			return fsutil.CheckTrustedDir(p)
		case !errors.Is(err, os.ErrNotExist):
			return err
		case p == filepath.Dir(p):
			return nil
		}
	}
}

// certEnvTransport checks SSL_CERT_FILE and SSL_CERT_DIR (checkCertEnv)
// before its first request, when Go's TLS would first read them, so
// that a command that sends nothing (a cached read) does not pay for it.
type certEnvTransport struct {
	base http.RoundTripper
	once sync.Once
	err  error
}

// RoundTrip implements http.RoundTripper.
func (t *certEnvTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	t.once.Do(func() { t.err = checkCertEnv() })
	if t.err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, t.err
	}
	return t.base.RoundTrip(req)
}

// certEnvSet reports whether either variable is set where Go honours it.
func certEnvSet() bool {
	return certEnvHonoured() && (os.Getenv("SSL_CERT_FILE") != "" || os.Getenv("SSL_CERT_DIR") != "")
}
