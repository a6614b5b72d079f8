package flow

import (
	"bytes"
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/authwrap/authwrap/internal/safetext"
)

// Defaults used when a Client field is left zero.
const (
	// DefaultRequestTimeout bounds each HTTP request.
	DefaultRequestTimeout = 30 * time.Second
	// DefaultMaxResponseBytes bounds how much of an answer is read.
	DefaultMaxResponseBytes = 1 << 20
	// DefaultInterval is RFC 8628's polling interval when the server sends none.
	DefaultInterval = 5 * time.Second
	// DefaultCodeLifetime is used when the server sends no usable expires_in.
	DefaultCodeLifetime = 5 * time.Minute
	// SlowDownStep is what RFC 8628 section 3.5 adds to the interval on slow_down.
	SlowDownStep = 5 * time.Second
	// MaxBackoff caps the wait after transient failures while polling.
	MaxBackoff = 60 * time.Second
)

// Client talks to one authorization server on behalf of one OAuth client.
// The zero value is not usable; set Provider and ClientID.
type Client struct {
	// Provider says where the server's endpoints are.
	Provider Provider
	// ClientID is the public client's ID (WorkOS: client_...). No secret is used.
	ClientID string
	// Scopes are sent with the device authorization (Standard flavour only;
	// WorkOS User Management takes none).
	Scopes []string
	// HTTPClient sends the requests; http.DefaultClient when nil.
	HTTPClient *http.Client
	// RequestTimeout bounds each request; DefaultRequestTimeout when zero.
	RequestTimeout time.Duration
	// MaxResponseBytes bounds each answer read; DefaultMaxResponseBytes when zero.
	MaxResponseBytes int64
	// UserAgent is sent with each request when set.
	UserAgent string

	// sleep waits for d or until ctx ends; tests replace it.
	sleep func(ctx context.Context, d time.Duration) error
	// now tells the time; tests replace it.
	now func() time.Time
}

// DeviceAuth is the answer to Start: what the person must see, and the
// device code the client polls with.
type DeviceAuth struct {
	// DeviceCode is the secret the client polls with. Never show it.
	DeviceCode Secret
	// UserCode is what the person compares or types (e.g. "BCDF-GHJK").
	UserCode string
	// VerificationURI is where the person enters UserCode.
	VerificationURI string
	// VerificationURIComplete has UserCode already in it; empty when the
	// server sent none.
	VerificationURIComplete string
	// Expiry is when the codes stop working.
	Expiry time.Time
	// Interval is the wait between polls the server asked for.
	Interval time.Duration
}

// BrowserURL returns the URL to open for the person:
// VerificationURIComplete when there is one, else VerificationURI.
func (d *DeviceAuth) BrowserURL() string {
	if d.VerificationURIComplete != "" {
		return d.VerificationURIComplete
	}
	return d.VerificationURI
}

type deviceAuthResponse struct {
	DeviceCode              string  `json:"device_code"`
	UserCode                string  `json:"user_code"`
	VerificationURI         string  `json:"verification_uri"`
	VerificationURL         string  `json:"verification_url"` // an older draft's spelling
	VerificationURIComplete string  `json:"verification_uri_complete"`
	ExpiresIn               seconds `json:"expires_in"`
	Interval                seconds `json:"interval"`
}

// Start asks the server for a device code and a user code (RFC 8628
// section 3.1).
func (c *Client) Start(ctx context.Context) (*DeviceAuth, error) {
	form := url.Values{"client_id": {c.ClientID}}
	if c.Provider.Flavour == Standard && len(c.Scopes) > 0 {
		form.Set("scope", strings.Join(c.Scopes, " "))
	}
	var r deviceAuthResponse
	start := c.clock()
	if err := c.do(ctx, http.MethodPost, c.Provider.DeviceAuthURL, form, &r); err != nil {
		return nil, fmt.Errorf("starting sign-in: %w", err)
	}
	if r.VerificationURI == "" {
		r.VerificationURI = r.VerificationURL
	}
	if r.DeviceCode == "" || r.UserCode == "" || r.VerificationURI == "" {
		return nil, fmt.Errorf("starting sign-in: %w: device_code, user_code or verification_uri missing", ErrBadResponse)
	}
	if len(r.DeviceCode) > MaxTokenLength || !isVSChars(r.DeviceCode) {
		return nil, fmt.Errorf("starting sign-in: %w: the device_code is not a printable ASCII string of at most %d bytes", ErrBadResponse, MaxTokenLength)
	}
	d := &DeviceAuth{
		DeviceCode:              Secret(r.DeviceCode),
		UserCode:                r.UserCode,
		VerificationURI:         r.VerificationURI,
		VerificationURIComplete: r.VerificationURIComplete,
		Expiry:                  start.Add(DefaultCodeLifetime),
		Interval:                DefaultInterval,
	}
	if r.ExpiresIn > 0 {
		d.Expiry = start.Add(r.ExpiresIn.duration())
	}
	if r.Interval > 0 {
		d.Interval = r.Interval.duration()
	}
	return d, nil
}

// Poll waits for the person to approve d and returns the token, following
// RFC 8628 section 3.5: it waits d.Interval before every request,
// adds SlowDownStep for good on slow_down, and stops with ErrExpiredToken
// when d.Expiry passes. Network errors, 408, 429 (honouring Retry-After)
// and 5xx answers back off and keep going. access_denied, expired_token
// and every other error code end it with an *Error.
func (c *Client) Poll(ctx context.Context, d *DeviceAuth) (*Token, error) {
	interval := d.Interval
	if interval <= 0 {
		interval = DefaultInterval
	}
	var backoff time.Duration
	form := url.Values{
		"grant_type":  {"urn:ietf:params:oauth:grant-type:device_code"},
		"device_code": {d.DeviceCode.Reveal()},
		"client_id":   {c.ClientID},
	}
	for {
		wait := max(interval, backoff)
		if remaining := d.Expiry.Sub(c.clock()); remaining < wait {
			if err := c.wait(ctx, remaining); err != nil {
				return nil, err
			}
			return nil, ErrExpiredToken
		}
		if err := c.wait(ctx, wait); err != nil {
			return nil, err
		}
		tok, err := c.token(ctx, form)
		if err == nil {
			return tok, nil
		}
		var se *Error
		switch {
		case errors.As(err, &se) && se.Code == "authorization_pending":
			backoff = 0
		case errors.As(err, &se) && se.Code == "slow_down":
			interval += SlowDownStep
			backoff = 0
		case IsTransient(err):
			backoff = nextBackoff(backoff, interval, err)
		case errors.As(err, &se) && se.Code == "invalid_grant":
			// A lapsed or already used device code has been seen answered
			// as invalid_grant.
			return nil, fmt.Errorf("%w (%w)", ErrExpiredToken, err)
		default:
			return nil, err
		}
	}
}

// nextBackoff doubles the wait after a transient failure, starting at the
// interval, honouring Retry-After, and capped at MaxBackoff.
func nextBackoff(prev, interval time.Duration, err error) time.Duration {
	var se *Error
	if errors.As(err, &se) && se.RetryAfter > 0 {
		return min(max(se.RetryAfter, interval), 5*MaxBackoff)
	}
	next := max(prev*2, interval)
	// A little jitter keeps many waiting clients from polling in step.
	next += time.Duration(rand.Int64N(int64(next)/10 + 1))
	return min(next, MaxBackoff)
}

// RefreshOptions are the optional parts of a refresh request.
type RefreshOptions struct {
	// OrganizationID switches the session to another organization the user
	// belongs to (WorkOS User Management).
	OrganizationID string
}

// Refresh exchanges a refresh token for a new pair. WorkOS rotates refresh
// tokens: the caller must save the new pair before anything else uses the
// old one. It makes one request; an error wrapping ErrTransient means the
// refresh token is still good, ErrReauthenticate means it is not.
func (c *Client) Refresh(ctx context.Context, refreshToken Secret, opts RefreshOptions) (*Token, error) {
	if refreshToken.IsZero() {
		return nil, fmt.Errorf("%w: no refresh token is stored", ErrReauthenticate)
	}
	form := url.Values{
		"grant_type":    {"refresh_token"},
		"refresh_token": {refreshToken.Reveal()},
		"client_id":     {c.ClientID},
	}
	if opts.OrganizationID != "" {
		form.Set("organization_id", opts.OrganizationID)
	}
	tok, err := c.token(ctx, form)
	if err == nil && opts.OrganizationID != "" {
		err = checkOrganization(tok, opts.OrganizationID)
	}
	if err != nil && opts.OrganizationID != "" {
		return nil, err // the caller says "switching to ORG"
	}
	if err != nil {
		return nil, fmt.Errorf("refreshing the session: %w", err)
	}
	if tok.RefreshToken.IsZero() {
		// A server that does not rotate keeps the old refresh token valid.
		tok.RefreshToken = refreshToken
	}
	return tok, nil
}

func (c *Client) token(ctx context.Context, form url.Values) (*Token, error) {
	var r tokenResponse
	if err := c.do(ctx, http.MethodPost, c.Provider.TokenURL, form, &r); err != nil {
		return nil, err
	}
	return r.token(c.clock())
}

// do sends one request with a timeout, reads at most MaxResponseBytes of
// the answer, and decodes it into out or into an *Error.
func (c *Client) do(ctx context.Context, method, endpoint string, form url.Values, out any) error {
	_, err := c.doHeader(ctx, method, endpoint, form, out)
	return err
}

// doHeader is do that also returns the answer's header (nil when there
// was no answer).
func (c *Client) doHeader(ctx context.Context, method, endpoint string, form url.Values, out any) (http.Header, error) {
	return c.send(ctx, method, endpoint, form, nil, out)
}

// send is doHeader for a request that may carry a confidential client's
// credentials (auth, nil for none): it follows no redirect, whatever the
// caller's http.Client says, and keeps the secret out of every error.
func (c *Client) send(ctx context.Context, method, endpoint string, form url.Values, auth *clientAuth, out any) (http.Header, error) {
	if _, err := checkURL(endpoint); err != nil {
		return nil, err
	}
	timeout := c.RequestTimeout
	if timeout <= 0 {
		timeout = DefaultRequestTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start := time.Now()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, endpoint, body)
	if err != nil {
		return nil, err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Accept", "application/json")
	if c.UserAgent != "" {
		req.Header.Set("User-Agent", c.UserAgent)
	}
	// What comes back in an error may quote the server (a Location it
	// could not parse, say): the secrets sent are masked in all of it.
	secrets := requestSecrets(form, auth)
	hc := noRedirects(c.HTTPClient)
	if auth != nil {
		if auth.basic {
			req.Header.Set("Authorization", "Basic "+auth.basicCredentials())
		}
		hc = refuseRedirects(c.HTTPClient)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, secrets.maskError(c.networkError(ctx, endpoint, err, time.Since(start)))
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		// Every request here carries a secret or decides where the next
		// one goes: a redirect is an error, never followed.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
		loc := secrets.maskString(resp.Header.Get("Location"))
		return resp.Header, &RedirectError{Endpoint: endpoint, StatusCode: resp.StatusCode, Location: loc}
	}
	limit := c.MaxResponseBytes
	if limit <= 0 {
		limit = DefaultMaxResponseBytes
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return resp.Header, secrets.maskError(c.networkError(ctx, endpoint, err, time.Since(start)))
	}
	if int64(len(data)) > limit {
		return resp.Header, fmt.Errorf("%w: the answer from %s is larger than %d bytes", ErrBadResponse, endpoint, limit)
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if auth != nil {
			// A decoding error may quote the answer, and a hostile
			// answer may hold the client secret it was sent.
			data = secrets.maskBytes(data)
		}
		return resp.Header, decodeJSON(data, out)
	}
	// An error answer ends up in messages and logs: whatever a server
	// echoes of the secrets it was sent is masked first.
	return resp.Header, parseError(resp, secrets.maskBytes(data), endpoint, secrets)
}

// noRedirects returns hc (http.DefaultClient when nil) made to hand back
// a redirect instead of following it: the standard client re-sends a
// 307/308's body, refresh token included, to whatever host and scheme the
// Location names. A client whose CheckRedirect is set is the caller's
// own decision and is used as it is.
func noRedirects(hc *http.Client) *http.Client {
	if hc == nil {
		hc = http.DefaultClient
	}
	if hc.CheckRedirect != nil {
		return hc
	}
	cp := *hc
	cp.CheckRedirect = RefuseRedirects
	return &cp
}

// refuseRedirects returns hc (http.DefaultClient when nil) made to hand
// back every redirect, even when the caller's CheckRedirect would follow
// it: for requests that carry a client secret.
func refuseRedirects(hc *http.Client) *http.Client {
	if hc == nil {
		hc = http.DefaultClient
	}
	cp := *hc
	cp.CheckRedirect = RefuseRedirects
	return &cp
}

// RefuseRedirects is an http.Client CheckRedirect function that follows
// no redirect: the client returns the 30x answer itself, which flow turns
// into a *RedirectError.
func RefuseRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// secretFields are the form fields that carry secrets.
var secretFields = []string{"device_code", "refresh_token", "pending_authentication_token", "client_secret"}

// networkError classifies a failure to get an answer: the caller's
// cancellation as itself, a certificate failure as a *CertificateError
// (not worth retrying), anything else as transient, saying how long it
// waited when a deadline ended it.
func (c *Client) networkError(ctx context.Context, endpoint string, err error, waited time.Duration) error {
	if ctx.Err() != nil && errors.Is(ctx.Err(), context.Canceled) {
		if cause := context.Cause(ctx); cause != nil {
			return cause
		}
	}
	var cve *tls.CertificateVerificationError
	var uae x509.UnknownAuthorityError
	var hne x509.HostnameError
	var cie x509.CertificateInvalidError
	if errors.As(err, &cve) || errors.As(err, &uae) || errors.As(err, &hne) || errors.As(err, &cie) {
		host := endpoint
		if u, perr := url.Parse(endpoint); perr == nil {
			host = u.Host
		}
		inner := err
		if cve != nil {
			inner = cve.Err
		}
		return &CertificateError{Host: host, Err: inner}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		// The server took the request and did not answer in time (or the
		// caller's own deadline came first).
		return &transientError{fmt.Errorf("no answer from %s after %s: %w", endpoint, waited.Round(100*time.Millisecond), err)}
	}
	return &transientError{fmt.Errorf("cannot reach %s: %w", endpoint, err)}
}

// parseError reads either error body shape; a body that is neither still
// yields an *Error carrying the HTTP status. The secrets the request
// carried are masked in the text it keeps, however the JSON escaped them.
func parseError(resp *http.Response, data []byte, endpoint string, secrets secretSet) error {
	var b struct {
		Error            string         `json:"error"`
		ErrorDescription string         `json:"error_description"`
		ErrorURI         string         `json:"error_uri"`
		Code             string         `json:"code"`
		Message          string         `json:"message"`
		PendingToken     string         `json:"pending_authentication_token"`
		Organizations    []Organization `json:"organizations"`
		User             *User          `json:"user"`
		Email            string         `json:"email"`
	}
	_ = decodeJSON(bytes.TrimSpace(data), &b)
	for _, f := range []*string{&b.Error, &b.ErrorDescription, &b.ErrorURI, &b.Code, &b.Message} {
		*f = secrets.maskString(*f)
	}
	e := &Error{
		Code:        cmp.Or(b.Error, b.Code),
		Description: cmp.Or(b.ErrorDescription, b.Message),
		StatusCode:  resp.StatusCode,
		RetryAfter:  retryAfter(resp.Header.Get("Retry-After"), time.Now()),
		Endpoint:    endpoint,
	}
	if len(e.Description) > 300 {
		e.Description = e.Description[:300] + "…"
	}
	if secrets.inJSON(data) {
		// The secret is in the body under JSON escapes: keep none of it.
		data = []byte(redacted)
	}
	if b.PendingToken != "" {
		e.Pending = &PendingAuthentication{Token: Secret(b.PendingToken), Organizations: b.Organizations,
			User: b.User, Email: b.Email}
		// The answer's own secret stays out of the body a caller may log.
		data = bytes.ReplaceAll(data, []byte(b.PendingToken), []byte(redacted))
	}
	// The request stays out of what the error keeps (its header and body
	// carry the secrets it was sent with), and so do they in the answer's
	// header.
	kept := *resp
	kept.Request, kept.Body = nil, http.NoBody
	kept.Header, kept.Trailer = secrets.maskHeader(resp.Header), secrets.maskHeader(resp.Trailer)
	e.retrieve = &oauth2.RetrieveError{Response: &kept, Body: data, ErrorCode: e.Code,
		ErrorDescription: e.Description, ErrorURI: b.ErrorURI}
	return e
}

// SelectOrganization completes a sign-in that the server answered with
// organization_selection_required (WorkOS User Management), with the
// organization-selection grant: the pending authentication token from
// that answer (Error.Pending.Token) and one of the organizations it
// offered. The token is good for one use and a few minutes.
func (c *Client) SelectOrganization(ctx context.Context, pending Secret, organizationID string) (*Token, error) {
	if pending.IsZero() || organizationID == "" {
		return nil, fmt.Errorf("%w: no pending authentication token or organization", ErrBadResponse)
	}
	form := url.Values{
		"grant_type":                   {OrganizationSelectionGrant},
		"pending_authentication_token": {pending.Reveal()},
		"organization_id":              {organizationID},
		"client_id":                    {c.ClientID},
	}
	tok, err := c.token(ctx, form)
	if err == nil {
		err = checkOrganization(tok, organizationID)
	}
	if err != nil {
		return nil, fmt.Errorf("signing in to organization %s: %w", safetext.Inert(organizationID), err)
	}
	return tok, nil
}

// ErrWrongOrganization means the server answered a request for one
// organization (the organization-selection grant, a refresh into an
// organization) with a session in another, or in none it names.
var ErrWrongOrganization = fmt.Errorf("%w: the session is not in the organization asked for", ErrBadResponse)

// checkOrganization refuses a token whose organization (the answer's
// organization_id, else the access token's org_id claim) is not want.
func checkOrganization(tok *Token, want string) error {
	if tok.OrganizationID != want {
		return fmt.Errorf("%w (asked for %s, got %q)", ErrWrongOrganization, safetext.Inert(want), safetext.Inert(tok.OrganizationID))
	}
	return nil
}

// OrganizationSelectionGrant is WorkOS's grant type that completes a
// sign-in answered with organization_selection_required.
const OrganizationSelectionGrant = "urn:workos:oauth:grant-type:organization-selection"

// retryAfter parses a Retry-After header: seconds or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseFloat(v, 64); err == nil && n > 0 {
		return min(seconds(n).duration(), time.Hour)
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return min(t.Sub(now), time.Hour)
	}
	return 0
}

func (c *Client) clock() time.Time {
	if c.now != nil {
		return c.now()
	}
	return time.Now()
}

func (c *Client) wait(ctx context.Context, d time.Duration) error {
	if c.sleep != nil {
		return c.sleep(ctx, d)
	}
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-t.C:
		return nil
	}
}
