package helper

import (
	"errors"
	"fmt"
	"strings"

	"github.com/authwrap/authwrap/flow"
)

// DefaultProfile is the profile used when none is named.
const DefaultProfile = "default"

// Profile says where and as which application to sign in: either APIURL
// (WorkOS User Management) or Issuer (a standard RFC 8628 server found by
// discovery), and the application's client ID. Name keeps sessions of
// different profiles apart in storage.
type Profile struct {
	// Name is the profile's name: letters, digits, '.', '_' and '-'.
	Name string `toml:"-" json:"name"`
	// ClientID is the AuthKit application's public client ID.
	ClientID string `toml:"client_id,omitempty" json:"client_id"`
	// APIURL is the WorkOS API for the User Management flavour
	// (default https://api.workos.com).
	APIURL string `toml:"api_url,omitempty" json:"api_url,omitempty"`
	// Issuer selects the standard flavour, discovered from this URL.
	Issuer string `toml:"issuer,omitempty" json:"issuer,omitempty"`
	// Scopes are requested in the standard flavour (DefaultScopes when empty).
	Scopes []string `toml:"scopes,omitempty" json:"scopes,omitempty"`
	// Organization is the WorkOS organization to sign in to (an ID, or a
	// name that matches exactly one of those the server offers) when the
	// user belongs to several; empty asks the Prompter, if it can choose.
	Organization string `toml:"organization,omitempty" json:"organization,omitempty"`
	// ClientSecret, when set, makes the profile a machine identity: a
	// WorkOS M2M application (a confidential client of WorkOS Connect)
	// that gets its tokens with the client-credentials grant from the
	// issuer, with no person and no refresh token. It is never read from
	// or written to a file by this package, and prints as a mask.
	ClientSecret flow.Secret `toml:"-" json:"-"`
}

// Machine reports whether the profile is a machine identity: one with a
// ClientSecret.
func (p Profile) Machine() bool { return !p.ClientSecret.IsZero() }

// DefaultScopes are requested from standard servers when a profile names
// none: an ID token, the user's profile and email, and a refresh token.
var DefaultScopes = []string{"openid", "profile", "email", "offline_access"}

// Flavour reports which dialect the profile's server speaks.
func (p Profile) Flavour() flow.Flavour {
	if p.Issuer != "" {
		return flow.Standard
	}
	return flow.UserManagement
}

// Server is the URL that identifies the profile's server: the issuer, or
// the API URL.
func (p Profile) Server() string {
	if p.Issuer != "" {
		return strings.TrimRight(p.Issuer, "/")
	}
	if p.APIURL != "" {
		return strings.TrimRight(p.APIURL, "/")
	}
	return flow.DefaultAPIURL
}

// ErrNoClientID means a profile names no client ID: the program says
// where its users set one.
var ErrNoClientID = errors.New("no client ID")

// Validate checks that the profile can be used to sign in.
func (p Profile) Validate() error {
	if err := CheckProfileName(p.Name); err != nil {
		return err
	}
	if p.ClientID == "" {
		return fmt.Errorf("profile %q has %w", p.Name, ErrNoClientID)
	}
	if p.Issuer != "" && p.APIURL != "" {
		return fmt.Errorf("profile %q names both an API URL and an issuer: WorkOS User Management takes the API URL, a standard server the issuer", p.Name)
	}
	if err := flow.CheckURL(p.Server()); err != nil {
		return fmt.Errorf("profile %q: %w", p.Name, err)
	}
	if p.Machine() && p.Issuer == "" {
		return fmt.Errorf("profile %q is a machine identity (it has a client secret): %w", p.Name, flow.ErrM2MNeedsIssuer)
	}
	return nil
}

// CheckProfileName rejects names that could not be a file name or a
// keyring key on every backend: it allows 1 to 64 letters, digits, '.',
// '_' and '-', starting with a letter or digit.
func CheckProfileName(name string) error {
	ok := len(name) >= 1 && len(name) <= 64
	for i := 0; ok && i < len(name); i++ {
		c := name[i]
		alnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		ok = alnum || (i > 0 && (c == '.' || c == '_' || c == '-'))
	}
	if !ok {
		return fmt.Errorf("bad profile name %q: use letters, digits, '.', '_' and '-' (at most 64)", name)
	}
	return nil
}
