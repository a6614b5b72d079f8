package flow

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/authwrap/authwrap/internal/safetext"
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
	// ErrInvalidClient means the server does not know the client ID, or
	// refused its credentials (invalid_client; unauthorized_client also
	// matches it).
	ErrInvalidClient = errors.New("the server does not know this client ID")
	// ErrUnauthorizedClient means the server knows the client but it may
	// not use the grant it asked for (unauthorized_client): for WorkOS, an
	// application of the wrong type (an OAuth application asking for the
	// client-credentials grant) or one that is switched off. It also
	// matches ErrInvalidClient.
	ErrUnauthorizedClient = errors.New("the client may not use this grant")
	// ErrInvalidScope means the server refused a scope the client asked
	// for (invalid_scope): for an M2M application, one it is not granted.
	ErrInvalidScope = errors.New("the server refused the scope asked for")
	// ErrTransient marks a failure worth retrying: a network error, a
	// timeout, 408, 429 or a 5xx answer. Stored sessions must survive it.
	ErrTransient = errors.New("temporary failure")
	// ErrInsecureURL means an endpoint is plain http on a host that is not
	// a loopback address, or not an http(s) URL at all.
	ErrInsecureURL = errors.New("endpoint must use https (plain http only on loopback)")
	// ErrBadResponse means the server answered with something that is not
	// the JSON the protocol asks for.
	ErrBadResponse = errors.New("unexpected response from the authorization server")
	// ErrRedirect means the server answered with a redirect, which no
	// request carrying a secret follows; the error is a *RedirectError.
	ErrRedirect = errors.New("the authorization server answered with a redirect, which is not followed")
	// ErrOrganizationSelection means the user belongs to several
	// organizations and the sign-in must name one
	// (organization_selection_required); the *Error's Pending holds the
	// choices and the token to continue with.
	ErrOrganizationSelection = errors.New("the user must choose an organization")
	// ErrPendingAuthentication means the server wants one more step that
	// a program cannot take for the person (verify the email address,
	// enrol or answer MFA, use SSO): they finish it in the browser.
	ErrPendingAuthentication = errors.New("the sign-in needs one more step")
	// ErrForeignEndpoint means a discovery document names an issuer or an
	// endpoint on another origin than the issuer it was fetched from.
	ErrForeignEndpoint = errors.New("the discovery document points to another server")
)

// RedirectError is a 30x answer from the authorization server. This package
// never follows one: a redirected POST would carry the device code or
// the refresh token to the Location, wherever that is.
type RedirectError struct {
	// Endpoint is the URL that answered.
	Endpoint string
	// StatusCode is the 30x status.
	StatusCode int
	// Location is where the server wanted the request to go.
	Location string
}

// Error names the server and where it pointed.
func (e *RedirectError) Error() string {
	return fmt.Sprintf("%s answered HTTP %d redirecting to %.200q; redirects from the authorization server are not followed (is the URL right? use the address the redirect names, if you trust it)",
		e.Endpoint, e.StatusCode, e.Location)
}

// Unwrap makes a RedirectError ErrRedirect.
func (e *RedirectError) Unwrap() error { return ErrRedirect }

// Error is an error answer from the authorization server. It understands
// both body shapes WorkOS uses: RFC 6749's {"error", "error_description"}
// and {"code", "message"}. Code and Description hold what the server
// sent; Error() shows them with control characters escaped.
//
// It matches the sentinel that fits its code (ErrAccessDenied,
// ErrExpiredToken, ErrReauthenticate, ErrInvalidClient,
// ErrUnauthorizedClient, ErrInvalidScope, ErrTransient) with
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
	// Pending is set when the answer carried a pending authentication
	// token (WorkOS's 403 organization_selection_required and its kin):
	// the sign-in needs one more step.
	Pending *PendingAuthentication

	retrieve *oauth2.RetrieveError
}

// PendingAuthentication is what WorkOS sends with an answer that says a
// sign-in needs one more step.
type PendingAuthentication struct {
	// Token continues the sign-in (SelectOrganization for
	// organization_selection_required). It is a secret.
	Token Secret
	// Organizations are the ones the user may choose, for
	// organization_selection_required.
	Organizations []Organization
	// User is who is signing in, when sent.
	User *User
	// Email is the address concerned (email_verification_required,
	// sso_required), when sent.
	Email string
}

// Organization is a WorkOS organization a user belongs to.
type Organization struct {
	// ID is the organization ID (org_...).
	ID string `json:"id"`
	// Name is the organization's name.
	Name string `json:"name"`
}

// Error describes the failure in one line.
func (e *Error) Error() string {
	msg := e.summary()
	if e.Code == "" {
		msg = strings.TrimSuffix(fmt.Sprintf("HTTP %d %s: %s", e.StatusCode, http.StatusText(e.StatusCode), msg), ": ")
	}
	if e.StatusCode == http.StatusNotFound && e.Endpoint != "" && e.Code == "" {
		msg += " (" + safetext.Line(e.Endpoint) + " answered 404: is the URL right?)"
	}
	return "authorization server: " + msg
}

// summary is the server's code and description, escaped: "code: text".
func (e *Error) summary() string {
	msg := safetext.Inert(e.Code)
	if e.Description != "" {
		msg = strings.TrimPrefix(msg+": "+safetext.Line(e.Description), ": ")
	}
	return msg
}

// Unwrap lets errors.Is find the matching sentinel and errors.As find the
// underlying *oauth2.RetrieveError.
func (e *Error) Unwrap() []error {
	errs := []error{}
	s := sentinelFor(e.Code, e.StatusCode)
	if s != nil {
		errs = append(errs, s)
	}
	if s == ErrUnauthorizedClient {
		errs = append(errs, ErrInvalidClient) // as it always has
	}
	// Any other answer with a pending token is a step too (mfa_enrollment
	// also ends a refreshed session).
	if e.Pending != nil && s != ErrOrganizationSelection && s != ErrPendingAuthentication {
		errs = append(errs, ErrPendingAuthentication)
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
	case "invalid_client":
		return ErrInvalidClient
	case "unauthorized_client":
		return ErrUnauthorizedClient
	case "invalid_scope":
		return ErrInvalidScope
	case "organization_selection_required":
		return ErrOrganizationSelection
	case "email_verification_required", "mfa_challenge", "organization_authentication_methods_required":
		return ErrPendingAuthentication
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
	return fmt.Sprintf("the TLS certificate of %s is not trusted: %s", e.Host, safetext.Line(e.Err.Error()))
}

// Unwrap returns the verification error.
func (e *CertificateError) Unwrap() error { return e.Err }

// transientError wraps a network-level failure.
type transientError struct{ err error }

func (t *transientError) Error() string   { return t.err.Error() }
func (t *transientError) Unwrap() []error { return []error{ErrTransient, t.err} }
