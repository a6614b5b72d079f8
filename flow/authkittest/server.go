// Package authkittest runs a local authorization server that speaks WorkOS
// AuthKit CLI Auth in both flavours, for tests, demos and offline work. It
// is shaped like net/http/httptest: NewServer starts it on a loopback port,
// URL says where, Close stops it, and methods let a test act as the person
// (Approve, Deny, Expire) or as a misbehaving network (Fail).
//
// It serves User Management's /user_management/authorize/device and
// /user_management/authenticate, Connect's /oauth2/device_authorization and
// /oauth2/token, discovery documents, JWKS at WorkOS's paths, RS256 JWT
// access tokens, rotating refresh tokens with a replay grace window,
// slow_down for clients that poll too fast, an HTML verification page a
// browser can drive, and the client-credentials grant of WorkOS Connect's
// M2M applications (Config.Machines, AddMachine). It keeps everything in memory and never listens on a
// non-loopback address.
package authkittest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// DefaultClientID is the one client a server knows unless configured.
const DefaultClientID = "client_authwrap_dev"

// Config sets up a Server. Zero fields take the defaults named on each.
type Config struct {
	// ClientID is the only client the server accepts; others get
	// invalid_client. Default DefaultClientID.
	ClientID string
	// AppName is shown on the verification page. Default "dev app".
	AppName string
	// Interval is the polling interval sent with each code. Default 5s.
	Interval time.Duration
	// CodeTTL is how long a device code lives. Default 5m.
	CodeTTL time.Duration
	// AccessTokenTTL is the access token lifetime. Default 5m.
	AccessTokenTTL time.Duration
	// RefreshGrace is how long a used refresh token may be replayed for the
	// same answer. Default 30s; negative means no grace at all.
	RefreshGrace time.Duration
	// AutoApprove, when positive, approves each code that long after it is
	// issued, as if a person had.
	AutoApprove time.Duration
	// TLS, when set, serves https with this configuration (its
	// certificate names the host clients use).
	TLS *tls.Config
	// Latency delays every API answer, as a real network round trip to
	// WorkOS would (for benchmarks); zero answers at once.
	Latency time.Duration
	// User is the person who approves. Default a dev user.
	User User
	// Organizations are the user's organizations; a sign-in lands in the
	// first. Default two dev organizations.
	Organizations []string
	// OrganizationNames names organizations by ID, for the
	// organization_selection_required answer. Default names for the two
	// dev organizations ("Acme Corp", "Globex").
	OrganizationNames map[string]string
	// OrganizationSelection makes the server do what WorkOS does for a
	// user with several memberships and no organization implied: an
	// approved User Management device sign-in answers 403
	// organization_selection_required with a pending authentication token
	// and the organizations, and the sign-in completes with the
	// organization-selection grant. Off, a sign-in lands in the first.
	OrganizationSelection bool
	// Machines are the M2M applications (WorkOS Connect's confidential
	// clients) the token endpoint takes the client-credentials grant
	// from, by client ID. Default none; AddMachine adds more.
	Machines map[string]Machine
	// MachineAuthMethods are the ways the token endpoint takes a
	// machine's secret, as discovery lists them (after "none", the public
	// client's): AuthMethodBasic, AuthMethodPost. Nil means both; an
	// empty or other list, none that a secret can use.
	MachineAuthMethods []string
}

// Machine is an M2M application: a confidential client that gets tokens
// for its organization with the client-credentials grant.
type Machine struct {
	// Secret is the client secret.
	Secret string
	// OrganizationID is the organization its tokens act for (org_id).
	OrganizationID string
	// Scopes are the scopes it is granted; a request may ask for fewer,
	// and gets all of them when it names none.
	Scopes []string
	// Disabled makes the grant answer unauthorized_client, as WorkOS
	// does for an application that may not use it.
	Disabled bool
}

// The client authentication methods a token endpoint may take (RFC 6749
// section 2.3.1), as discovery names them.
const (
	// AuthMethodBasic is HTTP Basic with the form-urlencoded client ID
	// and secret.
	AuthMethodBasic = "client_secret_basic"
	// AuthMethodPost is the form fields client_id and client_secret.
	AuthMethodPost = "client_secret_post"
)

// User is the person the server signs in.
type User struct {
	// ID is the user ID put in sub and the answers' user object.
	ID string `json:"id"`
	// Email is shown on the verification page and sent in user.
	Email string `json:"email"`
	// FirstName is sent in user.
	FirstName string `json:"first_name"`
	// LastName is sent in user.
	LastName string `json:"last_name"`
}

func (c *Config) defaults() {
	if c.ClientID == "" {
		c.ClientID = DefaultClientID
	}
	if c.AppName == "" {
		c.AppName = "dev app"
	}
	if c.Interval <= 0 {
		c.Interval = 5 * time.Second
	}
	if c.CodeTTL <= 0 {
		c.CodeTTL = 5 * time.Minute
	}
	if c.AccessTokenTTL <= 0 {
		c.AccessTokenTTL = 5 * time.Minute
	}
	if c.RefreshGrace == 0 {
		c.RefreshGrace = 30 * time.Second
	}
	if c.User.ID == "" {
		c.User = User{ID: "user_01DEVUSER0000000000000000", Email: "dev@example.com", FirstName: "Dev", LastName: "User"}
	}
	if c.Organizations == nil {
		c.Organizations = []string{"org_01DEVACME00000000000000000", "org_01DEVGLOBEX000000000000000"}
	}
	if c.MachineAuthMethods == nil {
		c.MachineAuthMethods = []string{AuthMethodBasic, AuthMethodPost}
	}
	if c.OrganizationNames == nil {
		c.OrganizationNames = map[string]string{"org_01DEVACME00000000000000000": "Acme Corp", "org_01DEVGLOBEX000000000000000": "Globex"}
	}
}

// Endpoint names a group of requests for counting and fault injection.
type Endpoint string

// The endpoints a test can count and fail.
const (
	// DeviceAuthorization is the device authorization endpoint (both flavours).
	DeviceAuthorization Endpoint = "device_authorization"
	// Poll is the token endpoint with the device_code grant (both flavours).
	Poll Endpoint = "poll"
	// Refresh is the token endpoint with the refresh_token grant.
	Refresh Endpoint = "refresh"
	// Discovery is either well-known discovery document.
	Discovery Endpoint = "discovery"
	// JWKS is either JWKS document.
	JWKS Endpoint = "jwks"
	// VerificationPage is the HTML page where the person approves.
	VerificationPage Endpoint = "verification_page"
	// OrganizationSelection is the token endpoint with WorkOS's
	// organization-selection grant.
	OrganizationSelection Endpoint = "organization_selection"
	// ClientCredentials is the token endpoint with the client-credentials
	// grant (M2M applications).
	ClientCredentials Endpoint = "client_credentials"
)

// OrganizationSelectionGrant is WorkOS's grant type that completes a
// sign-in answered with organization_selection_required.
const OrganizationSelectionGrant = "urn:workos:oauth:grant-type:organization-selection"

// Fault is one misbehaviour, used for the next request to an endpoint.
type Fault struct {
	// Delay holds the answer back this long (or until the client gives up).
	Delay time.Duration
	// Drop closes the connection without answering (after Delay).
	Drop bool
	// Status is the HTTP status to answer with; 0 means answer normally
	// after the Delay.
	Status int
	// RetryAfter is sent as the Retry-After header when set (e.g. "2").
	RetryAfter string
	// Body is sent as the answer body; empty sends a JSON error for Status.
	Body string
	// ContentType defaults to application/json.
	ContentType string
	// Header is added to the answer (a Location for a redirect, say),
	// the normal one too when Status is 0 (a Date far from now, say).
	Header http.Header
	// Raw, when set, is written to the connection as the whole answer,
	// status line and headers included, and the connection is closed:
	// for answers no well-behaved server library would send (a status
	// line with escape sequences, a broken header).
	Raw string
	// AfterProcessing applies the fault after the server has done the
	// work: a refresh is rotated, a code consumed, and then the answer is
	// delayed or dropped, as when a network loses a reply.
	AfterProcessing bool
}

// Server is a running local AuthKit server.
type Server struct {
	// URL is the base URL, e.g. http://127.0.0.1:41234, with no trailing slash.
	URL string
	// Config is the configuration in effect, defaults filled in.
	Config Config

	listener net.Listener
	srv      *http.Server
	key      *rsa.PrivateKey
	signer   jose.Signer
	keyID    string

	mu        sync.Mutex
	codes     map[string]*deviceCode // by device code
	byUser    map[string]*deviceCode // by normalised user code
	refresh   map[string]*refreshState
	sessions  map[string]*session
	faults    map[Endpoint][]Fault
	counts    map[Endpoint]int
	slowDowns int
	pendings  map[string]*pendingAuth // by pending authentication token
	machines  map[string]Machine      // by client ID
	requires  []string                // pending-authentication codes for the next approved polls
	secrets   []string                // every device code, access token and refresh token issued
	timers    []*time.Timer
	changed   chan struct{} // closed and replaced when a code is issued
}

// NewServer starts a server on a free loopback port. It panics if it
// cannot, as httptest.NewServer does.
func NewServer(cfg Config) *Server {
	s, err := Listen("127.0.0.1:0", cfg)
	if err != nil {
		panic("authkittest: " + err.Error())
	}
	return s
}

// Listen starts a server on addr, which must be a loopback address.
func Listen(addr string, cfg Config) (*Server, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("bad address %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("refusing to listen on %q: only loopback addresses are allowed", addr)
	}
	s, err := newServer(cfg)
	if err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s.URL = "http://" + l.Addr().String()
	if cfg.TLS != nil {
		l = tls.NewListener(l, cfg.TLS)
		s.URL = "https://" + l.Addr().String()
	}
	s.listener = l
	s.srv = &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.srv.Serve(l) }()
	return s, nil
}

func newServer(cfg Config) (*Server, error) {
	cfg.defaults()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	s := &Server{
		Config:   cfg,
		key:      key,
		keyID:    "key_" + randomString(8),
		codes:    map[string]*deviceCode{},
		byUser:   map[string]*deviceCode{},
		refresh:  map[string]*refreshState{},
		sessions: map[string]*session{},
		faults:   map[Endpoint][]Fault{},
		counts:   map[Endpoint]int{},
		pendings: map[string]*pendingAuth{},
		machines: map[string]Machine{},
		changed:  make(chan struct{}),
	}
	for id, m := range cfg.Machines {
		s.machines[id] = m
		s.secrets = append(s.secrets, m.Secret)
	}
	s.signer, err = jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", s.keyID))
	if err != nil {
		return nil, err
	}
	return s, nil
}

// Close stops the server and its auto-approval timers.
func (s *Server) Close() {
	s.mu.Lock()
	for _, t := range s.timers {
		t.Stop()
	}
	s.mu.Unlock()
	if s.srv != nil {
		_ = s.srv.Close()
	}
}

// Fail queues faults for the next requests to ep, one request each.
func (s *Server) Fail(ep Endpoint, faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[ep] = append(s.faults[ep], faults...)
}

// Requests returns how many requests ep has received, faulted ones included.
func (s *Server) Requests(ep Endpoint) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[ep]
}

// SlowDowns returns how many slow_down answers the server has sent because
// a client polled faster than its interval. A well-behaved client gets zero.
func (s *Server) SlowDowns() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.slowDowns
}

// IssuedSecrets returns every device code, access token, ID token and
// refresh token the server has issued, and every machine's client
// secret, for tests that check none of them leaks.
func (s *Server) IssuedSecrets() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.secrets...)
}

// PublicKey returns the key that signs access tokens.
func (s *Server) PublicKey() *rsa.PublicKey { return &s.key.PublicKey }

// ErrUnknownCode is returned by Approve, Deny and Expire for a user code
// the server did not issue or that is no longer pending.
var ErrUnknownCode = errors.New("authkittest: no pending sign-in with that user code")

func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return strings.TrimRight(base64.RawURLEncoding.EncodeToString(b), "=")
}
