package credhelper

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/authwrap/authwrap/helper"
	"github.com/authwrap/authwrap/internal/safetext"
)

// TokenServer hands a fresh token to one child process, as aws-vault's
// --server does for AWS credentials: an HTTP endpoint on a Unix socket in
// a directory of its own that only this user may enter, which answers
// only this user's connections (the peer's uid, where the system tells
// it) and only requests carrying a random secret, each with a token valid
// for at least MinTTL (refreshed under the session lock when needed). It
// lives exactly as long as the child.
//
// No other user can connect at all, so none can crowd the child's own
// requests out, as anyone could on a loopback TCP port.
type TokenServer struct {
	// Socket is the path of the Unix socket.
	Socket string
	// URL is the URL to ask for over Socket, http://localhost/token
	// (curl --unix-socket "$Socket" URL).
	URL string
	// Auth is the Authorization header value a request must carry.
	Auth string

	m      *helper.Manager
	minTTL time.Duration
	dir    string
	srv    *http.Server

	mu       sync.Mutex
	conns    map[net.Conn]*connInfo
	accepted int // connections ever accepted
	closed   bool
}

// ErrSocketPath means no directory for the endpoint's socket gives it a
// path short enough for the system (about 100 bytes).
var ErrSocketPath = errors.New("the token endpoint's socket path would be too long")

// socketName is the socket's name in its directory.
const socketName = "token.sock"

// socketBase returns the first of the places the system offers
// (socketBases) where the socket's path fits.
func socketBase() (string, error) {
	bases := socketBases()
	for _, b := range bases {
		// os.MkdirTemp's random part has at most 10 digits.
		if len(filepath.Join(b, "authwrap-0123456789", socketName)) <= maxSocketPath {
			return b, nil
		}
	}
	return "", fmt.Errorf("%w under %s (at most %d bytes here): point %s at a shorter directory",
		ErrSocketPath, strings.Join(bases, " or "), maxSocketPath, tempDirVar)
}

// ServeTokens starts a TokenServer for m's profile. Close stops it and
// removes the socket and its directory.
func ServeTokens(m *helper.Manager, minTTL time.Duration) (*TokenServer, error) {
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return nil, err
	}
	base, err := socketBase()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(base, "authwrap-")
	if err != nil {
		return nil, fmt.Errorf("making the token endpoint's directory: %w", err)
	}
	l, err := listenPrivate(dir)
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	s := &TokenServer{
		Socket: filepath.Join(dir, socketName),
		URL:    "http://localhost/token",
		Auth:   "Bearer " + base64.RawURLEncoding.EncodeToString(secret),
		m:      m,
		minTTL: minTTL,
		dir:    dir,
		conns:  map[net.Conn]*connInfo{},
	}
	s.srv = &http.Server{Handler: s, ConnState: s.track, MaxHeaderBytes: 8 << 10,
		ReadHeaderTimeout: serveHeaderTimeout, ReadTimeout: serveHeaderTimeout, IdleTimeout: serveIdleTimeout}
	go func() { _ = s.srv.Serve(peerListener{l}) }()
	return s, nil
}

// listenPrivate makes dir private to this user and listens on the socket
// in it, which it makes private too.
func listenPrivate(dir string) (net.Listener, error) {
	if err := makePrivate(dir); err != nil {
		return nil, fmt.Errorf("making the token endpoint's directory private: %w", err)
	}
	path := filepath.Join(dir, socketName)
	l, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("starting the token endpoint: %w%s", err, listenHint)
	}
	if err := makeSocketPrivate(path); err != nil {
		_ = l.Close()
		return nil, fmt.Errorf("making the token endpoint's socket private: %w", err)
	}
	return l, nil
}

// peerListener accepts only this user's connections: one from another
// user (which the directory's permissions should already have kept out)
// is closed at once, before it is read from or counted.
type peerListener struct{ net.Listener }

// Accept returns the next connection from this user.
func (l peerListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if peerIsUs(c) {
			return c, nil
		}
		_ = c.Close()
	}
}

// Limits of the token endpoint. Only this user can connect, but a slow,
// stuck or leaking client of the command's must not run the process out
// of descriptors, nor keep the command's other requests waiting.
const (
	// serveMaxConns caps the connections kept open; past it, the oldest
	// one not in the middle of a request is closed for the newest (a
	// kept-alive one, whose client already has its answer, first). Far
	// above any command's parallel requests.
	serveMaxConns = 256
	// serveHeaderTimeout closes a connection that has not sent a whole
	// request head (and body) this long after it started.
	serveHeaderTimeout = 2 * time.Second
	// serveIdleTimeout closes a kept-alive connection with nothing to do.
	serveIdleTimeout = 5 * time.Second
)

// connInfo is what the endpoint knows of one open connection.
type connInfo struct {
	state http.ConnState
	since time.Time
}

// track follows each connection's state, and at the cap closes the
// oldest connection that is not serving a request, an idle one first.
func (s *TokenServer) track(c net.Conn, state http.ConnState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch state {
	case http.StateClosed, http.StateHijacked:
		delete(s.conns, c)
		return
	case http.StateNew:
		s.accepted++
		s.conns[c] = &connInfo{state: state, since: time.Now()}
	default:
		if ci := s.conns[c]; ci != nil {
			ci.state = state
		}
		return
	}
	for len(s.conns) > serveMaxConns {
		var oldest net.Conn
		var at *connInfo
		for oc, ci := range s.conns {
			if oc == c || ci.state == http.StateActive {
				continue
			}
			if oldest == nil || evictBefore(ci, at) {
				oldest, at = oc, ci
			}
		}
		if oldest == nil {
			return // every other one is being served
		}
		_ = oldest.Close()
		delete(s.conns, oldest)
	}
}

// evictBefore reports whether a goes before b at the cap: an idle
// (kept-alive) connection before a new one, then the older first.
func evictBefore(a, b *connInfo) bool {
	if (a.state == http.StateIdle) != (b.state == http.StateIdle) {
		return a.state == http.StateIdle
	}
	return a.since.Before(b.since)
}

// Close stops the server and removes its socket and directory; later
// connections are refused by the system.
func (s *TokenServer) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	err := s.srv.Close()
	if rerr := os.RemoveAll(s.dir); rerr != nil && err == nil {
		err = rerr
	}
	return err
}

// tokenAnswer is the JSON form of an answer.
type tokenAnswer struct {
	AccessToken string    `json:"access_token"`
	TokenType   string    `json:"token_type"`
	ExpiresAt   time.Time `json:"expires_at"`
	Profile     string    `json:"profile"`
}

// ServeHTTP answers GET /token with the token as text, or as JSON when the
// request accepts application/json. The Host header is not checked: no
// browser page can reach a Unix socket, whatever name it uses.
func (s *TokenServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	switch {
	case r.URL.Path != "/token":
		http.NotFound(w, r)
		return
	case r.Method != http.MethodGet:
		http.Error(w, "only GET", http.StatusMethodNotAllowed)
		return
	case subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), []byte(s.Auth)) != 1:
		w.Header().Set("WWW-Authenticate", "Bearer")
		w.Header().Set("Connection", "close")
		http.Error(w, "missing or wrong Authorization: send $AUTHWRAP_TOKEN_URL_AUTH", http.StatusUnauthorized)
		return
	}
	sess, err := s.m.Token(r.Context(), s.minTTL)
	if err != nil {
		status := http.StatusServiceUnavailable
		if errors.Is(err, helper.ErrNotSignedIn) {
			status = http.StatusUnauthorized
		}
		http.Error(w, safetext.Line(err.Error()), status)
		return
	}
	if r.Header.Get("Accept") == "application/json" {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(tokenAnswer{AccessToken: sess.AccessToken.Reveal(), TokenType: "Bearer",
			ExpiresAt: sess.Expiry.UTC(), Profile: s.m.Profile.Name})
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte(sess.AccessToken.Reveal() + "\n"))
}
