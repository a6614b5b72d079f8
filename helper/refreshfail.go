package helper

import (
	"errors"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/authwrap/authwrap/flow"
	"github.com/authwrap/authwrap/internal/fsutil"
)

// RefreshFailure is the last refresh of the profile's session that failed
// while the session was kept (the server could not be reached, answered
// with an error, or the new session could not be saved), by a Token call
// or a keeper. A refresh or sign-in that succeeds, and logout, clear it.
type RefreshFailure struct {
	// At is when the refresh failed.
	At time.Time
	// Reason says what failed, in a few words (it holds no server text).
	Reason string
}

func (m *Manager) refreshFailedPath() string { return m.keeperPath(".refresh-failed") }

// LastRefreshFailure returns the last refresh that failed since the
// session last refreshed or signed in, if one did.
func (m *Manager) LastRefreshFailure() (RefreshFailure, bool) {
	data, err := fsutil.ReadTrusted(m.refreshFailedPath())
	if err != nil {
		return RefreshFailure{}, false
	}
	at, reason, ok := strings.Cut(strings.TrimSpace(string(data)), " ")
	sec, err := strconv.ParseInt(at, 10, 64)
	if !ok || err != nil || !knownReason[reason] {
		return RefreshFailure{}, false
	}
	return RefreshFailure{At: time.Unix(sec, 0), Reason: reason}, true
}

// Reasons a refresh failed, as RefreshFailure says them.
const (
	reasonUnreachable = "the server could not be reached"
	reasonCertificate = "the server's certificate was not trusted"
	reasonServer      = "the server answered with an error"
	reasonSave        = "the refreshed session could not be saved"
	reasonOther       = "the refresh failed"
)

// knownReason holds what a record may say: the file is only ever read
// back as one of these, never as text someone else put there.
var knownReason = map[string]bool{reasonUnreachable: true, reasonCertificate: true, reasonServer: true, reasonSave: true, reasonOther: true}

// errSaveRefreshed marks a refresh whose answer could not be saved.
var errSaveRefreshed = errors.New("the refreshed session could not be saved")

func refreshReason(err error) string {
	var fe *flow.Error
	var ce *flow.CertificateError
	var ne net.Error
	switch {
	case errors.Is(err, errSaveRefreshed):
		return reasonSave
	case errors.As(err, &ce):
		return reasonCertificate
	case errors.As(err, &fe):
		return reasonServer
	case errors.As(err, &ne):
		return reasonUnreachable
	}
	return reasonOther
}

// recordRefreshFailure notes a failed refresh for LastRefreshFailure (the
// lock is held, so its directory is the profile's own).
func (m *Manager) recordRefreshFailure(err error) {
	line := strconv.FormatInt(time.Now().Unix(), 10) + " " + refreshReason(err) + "\n"
	_ = fsutil.WriteAtomic(m.refreshFailedPath(), []byte(line))
}

// clearRefreshFailure forgets a failed refresh once the session is new.
func (m *Manager) clearRefreshFailure() { _ = os.Remove(m.refreshFailedPath()) }
