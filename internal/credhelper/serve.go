package credhelper

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/authwrap/authwrap/helper"
	"github.com/authwrap/authwrap/internal/safetext"
)

// TokenServer hands a fresh token to one child process, as aws-vault's
// --server does for AWS credentials: an HTTP endpoint on a random
// loopback port that answers only requests carrying a random secret, each
// with a token valid for at least MinTTL (refreshed under the session
// lock when needed). It lives exactly as long as the child.
type TokenServer struct {
	// URL is the endpoint, http://127.0.0.1:PORT/token.
	URL string
	// Auth is the Authorization header value a request must carry.
	Auth string

	m      *helper.Manager
	minTTL time.Duration
	host   string
	srv    *http.Server

	mu       sync.Mutex
	conns    map[net.Conn]*connInfo
	accepted int // connections ever accepted
}

// ServeTokens starts a TokenServer for m's profile.
func ServeTokens(m *helper.Manager, minTTL time.Duration) (*TokenServer, error) {
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &TokenServer{
		URL:    "http://" + l.Addr().String() + "/token",
		Auth:   "Bearer " + base64.RawURLEncoding.EncodeToString(secret),
		m:      m,
		minTTL: minTTL,
		host:   l.Addr().String(),
	}
	s.conns = map[net.Conn]*connInfo{}
	s.srv = &http.Server{Handler: s, ConnState: s.track, MaxHeaderBytes: 8 << 10,
		ReadHeaderTimeout: serveHeaderTimeout, ReadTimeout: serveHeaderTimeout, IdleTimeout: serveIdleTimeout}
	go func() { _ = s.srv.Serve(l) }()
	return s, nil
}

// Limits of the token endpoint. Any local user can connect to a loopback
// port: whoever holds connections open without sending a request (or
// after a refused one) must not keep the command's own requests waiting,
// nor run the process out of descriptors.
const (
	// serveMaxConns caps the connections kept open; past it, the oldest
	// one not in the middle of a request is closed for the newest.
	serveMaxConns = 32
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
// oldest connection that is not serving a request.
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
		var at time.Time
		for oc, ci := range s.conns {
			if oc != c && ci.state != http.StateActive && (oldest == nil || ci.since.Before(at)) {
				oldest, at = oc, ci.since
			}
		}
		if oldest == nil {
			return // every other one is being served
		}
		_ = oldest.Close()
		delete(s.conns, oldest)
	}
}

// Close stops the server; later requests are refused by the system.
func (s *TokenServer) Close() error { return s.srv.Close() }

// tokenAnswer is the JSON form of an answer.
type tokenAnswer struct {
	AccessToken string    `json:"access_token"`
	TokenType   string    `json:"token_type"`
	ExpiresAt   time.Time `json:"expires_at"`
	Profile     string    `json:"profile"`
}

// ServeHTTP answers GET /token with the token as text, or as JSON when the
// request accepts application/json.
func (s *TokenServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	switch {
	case r.URL.Path != "/token":
		http.NotFound(w, r)
		return
	case r.Method != http.MethodGet:
		http.Error(w, "only GET", http.StatusMethodNotAllowed)
		return
	case r.Host != s.host: // a page in a browser reaching it by a rebound name
		http.Error(w, "wrong host", http.StatusForbidden)
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
