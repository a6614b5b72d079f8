// Package flow is the OAuth 2.0 device authorization grant (RFC 8628) client
// behind authwrap: it starts a sign-in, polls for its approval exactly as
// RFC 8628 section 3.5 asks, and refreshes rotating refresh tokens. For
// programs without a person it also gets tokens with the client-credentials
// grant (RFC 6749 section 4.4) of WorkOS Connect's M2M applications.
//
// Most programs want package helper, which adds storage, a cross-process
// lock, refresh and prompting around this package. Use flow directly for a
// different storage or a one-off sign-in.
//
// # WorkOS User Management (AuthKit)
//
// The usual case. In the WorkOS dashboard, use (or create) an application
// whose users sign in with AuthKit, enable CLI Auth for it (WorkOS's guide:
// https://workos.com/docs/authkit/cli-auth; until it is enabled, starting
// a sign-in answers 403 access_denied), and copy its client ID. No API key
// or client secret is needed or used: this is a public client. Then:
//
//	p, _ := flow.WorkOS("", "client_...") // "" is https://api.workos.com
//	c := &flow.Client{Provider: p, ClientID: "client_..."}
//
// The person sees a short code (such as BCDF-GHJK) and a URL on your
// AuthKit domain (https://<name>.authkit.app/device); they sign in there
// as usual (password, SSO, MFA: whatever the application requires),
// compare or type the code, and approve. The token answer carries the
// user and organization; the access token is a JWT that lives about five
// minutes, with a refresh token that rotates on every use.
//
// # Standard RFC 8628 servers (WorkOS Connect and others)
//
// For an OAuth application on WorkOS Connect, or any server that
// publishes device_authorization_endpoint in its discovery document:
// register a public client with the device code grant (and the refresh
// token grant), then discover the endpoints from the issuer:
//
//	c := &flow.Client{ClientID: "client_...", Scopes: []string{"openid", "profile", "email", "offline_access"}}
//	c.Provider, err = c.Discover(ctx, "https://<name>.authkit.app")
//
// offline_access is what makes the server issue a refresh token. The
// person sees the same code-and-URL page, served by that server.
//
// # Programs without a person: WorkOS Connect M2M applications
//
// For CI and other programs, an M2M application of WorkOS Connect is a
// confidential client: it has a client secret, gets short-lived access
// tokens with the client-credentials grant (RFC 6749 section 4.4) from
// the AuthKit domain's /oauth2/token, and no refresh token. Its tokens
// carry the organization it acts for (org_id). Discover the endpoint from
// the issuer, then ask for a token whenever the last one is near expiry:
//
//	c := &flow.Client{ClientID: "client_..."}
//	c.Provider, err = c.DiscoverM2M(ctx, "https://<name>.authkit.app")
//	tok, err := c.ClientCredentials(ctx, flow.Secret(secret), nil)
//
// The secret goes in an HTTP Basic header when discovery lists
// client_secret_basic, else in the form. A request that carries it
// follows no redirect, and it is masked in every error.
//
// # What this package never does
//
// It never touches a terminal, a keyring or a file. Errors are values a
// caller can test with errors.Is and errors.As (see Error and the Err*
// variables). Secrets are held in Secret, which redacts itself whenever it
// is formatted, logged or marshalled.
package flow
