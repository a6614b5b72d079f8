// Package flow is the OAuth 2.0 device authorization grant (RFC 8628) client
// behind authwrap: it starts a sign-in, polls for its approval exactly as
// RFC 8628 section 3.5 asks, and refreshes rotating refresh tokens.
//
// It speaks both flavours of WorkOS CLI Auth: WorkOS User Management
// ({api}/user_management/authorize/device and /authenticate, see [WorkOS]) and
// standard RFC 8628 servers found by discovery from an issuer URL (WorkOS
// Connect's /oauth2/... endpoints and any other compliant server, see
// [Discover]).
//
// The package never touches a terminal, a keyring or a file: it takes a
// context and returns values and errors that callers can test with
// [errors.Is] and [errors.As]. Secrets are held in [Secret], which redacts
// itself whenever it is formatted, logged or marshalled.
package flow
