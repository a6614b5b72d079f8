package flow

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"golang.org/x/oauth2"
)

// Sentinel errors a caller can test with errors.Is. Errors from the server
// are *Error values that match one of these when their code says so.
var (
	// ErrAccessDenied means the person declined the sign-in (access_denied).
	ErrAccessDenied = errors.New("sign-in was denied")
	// ErrExpiredToken means the device code expired before it was approved
	// (expired_token, or the deadline from expires_in passed).
	ErrExpiredToken = errors.New("the sign-in code expired before it was approved")
	// ErrReauthenticate means the session is over and the person must sign in
	// again: invalid_grant and its kin (mfa_enrollment, sso_required, a
	// refresh token already exchanged).
	ErrReauthenticate = errors.New("the session has ended: sign in again")
	// ErrInvalidClient means the server does not know the client ID.
	ErrInvalidClient = errors.New("the server does not know this client ID")
	// ErrTransient marks a failure worth retrying: a network error, a
	// timeout, 408, 429 or a 5xx answer. Stored sessions must survive it.
	ErrTransient = errors.New("temporary failure")
	// ErrInsecureURL means an endpoint is plain http on a host that is not
	// a loopback address, or not an http(s) URL at all.
	ErrInsecureURL = errors.New("endpoint must use https (plain http only on loopback)")
	// ErrBadResponse means the server answered with something that is not
	// the JSON the protocol asks for.
	ErrBadResponse = errors.New("unexpected response from the authorization server")
)

// Error is an error answer from the authorization server. It understands
// both body shapes WorkOS uses: RFC 6749's {"error", "error_description"}
// and {"code", "message"}.
//
// It matches the sentinel that fits its code (ErrAccessDenied,
// ErrExpiredToken, ErrReauthenticate, ErrInvalidClient, ErrTransient) with
// errors.Is, and *oauth2.RetrieveError with errors.As.
type Error struct {
	// Code is the error code: the body's "error", or else its "code".
	Code string
	// Description is "error_description", or else "message".
	Description string
	// StatusCode is the HTTP status of the answer.
	StatusCode int
	// RetryAfter is the server's Retry-After, or zero.
	RetryAfter time.Duration
	// Endpoint is the URL that answered.
	Endpoint string

	retrieve *oauth2.RetrieveError
}

// Error describes the failure in one line.
func (e *Error) Error() string {
	msg := e.Code
	if msg == "" {
		msg = fmt.Sprintf("HTTP %d %s", e.StatusCode, http.StatusText(e.StatusCode))
	}
	if e.Description != "" {
		msg += ": " + e.Description
	}
	return "authorization server: " + msg
}

// Unwrap lets errors.Is find the matching sentinel and errors.As find the
// underlying *oauth2.RetrieveError.
func (e *Error) Unwrap() []error {
	errs := []error{}
	if s := sentinelFor(e.Code, e.StatusCode); s != nil {
		errs = append(errs, s)
	}
	if e.retrieve != nil {
		errs = append(errs, e.retrieve)
	}
	return errs
}

func sentinelFor(code string, status int) error {
	switch code {
	case "access_denied":
		return ErrAccessDenied
	case "expired_token":
		return ErrExpiredToken
	case "invalid_grant", "mfa_enrollment", "sso_required":
		return ErrReauthenticate
	case "invalid_client", "unauthorized_client":
		return ErrInvalidClient
	}
	if isTransientStatus(status) {
		return ErrTransient
	}
	return nil
}

func isTransientStatus(status int) bool {
	return status == http.StatusRequestTimeout || status == http.StatusTooManyRequests || status >= 500
}

// IsTransient reports whether err is worth retrying later: a network
// failure, a timeout, or a 408, 429 or 5xx answer.
func IsTransient(err error) bool { return errors.Is(err, ErrTransient) }

// CertificateError means the server's TLS certificate was not trusted:
// an unknown authority (a private CA, an intercepting proxy), a name that
// does not match, or an expired certificate. It is not transient.
type CertificateError struct {
	// Host is the host whose certificate failed.
	Host string
	// Err is the verification error.
	Err error
}

// Error names the host and the reason.
func (e *CertificateError) Error() string {
	return fmt.Sprintf("the TLS certificate of %s is not trusted: %v", e.Host, e.Err)
}

// Unwrap returns the verification error.
func (e *CertificateError) Unwrap() error { return e.Err }

// transientError wraps a network-level failure.
type transientError struct{ err error }

func (t *transientError) Error() string   { return t.err.Error() }
func (t *transientError) Unwrap() []error { return []error{ErrTransient, t.err} }
