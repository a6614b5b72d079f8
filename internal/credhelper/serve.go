package credhelper

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/authwrap/authwrap/helper"
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
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = s.srv.Serve(l) }()
	return s, nil
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
		http.Error(w, "missing or wrong Authorization: send $AUTHWRAP_TOKEN_URL_AUTH", http.StatusUnauthorized)
		return
	}
	sess, err := s.m.Token(r.Context(), s.minTTL)
	if err != nil {
		status := http.StatusServiceUnavailable
		if errors.Is(err, helper.ErrNotSignedIn) {
			status = http.StatusUnauthorized
		}
		http.Error(w, err.Error(), status)
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
