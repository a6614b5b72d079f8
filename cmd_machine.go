package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/authwrap/authwrap/flow"
	"github.com/authwrap/authwrap/helper"
	"github.com/authwrap/authwrap/internal/appenv"
	"github.com/authwrap/authwrap/internal/config"
	"github.com/authwrap/authwrap/internal/fsutil"
)

// A machine identity (a WorkOS M2M application) is a profile with a client
// secret: from AUTHWRAP_CLIENT_SECRET for the chosen profile, or from the
// file the profile's client_secret_file names. Never from the
// configuration file itself, a flag or argv.

// errSecretFile marks a client_secret_file that cannot be used.
var errSecretFile = errors.New("client_secret_file")

// machineSecret gives e the client secret of a machine identity, when it
// has one: chosen says the profile is the one the environment applies to.
func (g *Globals) machineSecret(e *config.Entry, chosen bool) error {
	if v := strings.TrimSpace(appenv.Lookup(appenv.ClientSecretVar(app))); chosen && v != "" {
		e.ClientSecret = flow.Secret(v)
	} else if e.ClientSecretFile != "" {
		secret, err := readSecretFile(e.ClientSecretFile)
		if err != nil {
			return fmt.Errorf("profile %s: %w", e.Name, err)
		}
		e.ClientSecret = secret
	} else {
		return nil
	}
	return e.Validate()
}

// readSecretFile reads a client secret from path: a file only this user
// (or root) can write, in directories no other user can change, that
// only this user can read; one line.
func readSecretFile(path string) (flow.Secret, error) {
	if !filepath.IsAbs(path) {
		return "", fmt.Errorf("%w %s is not an absolute path", errSecretFile, path)
	}
	data, err := fsutil.ReadPrivate(path)
	if err != nil {
		return "", fmt.Errorf("%w: %w", errSecretFile, err)
	}
	secret := strings.TrimSpace(string(data))
	if secret == "" || strings.ContainsAny(secret, "\r\n") {
		return "", fmt.Errorf("%w %s must hold the client secret alone, on one line", errSecretFile, path)
	}
	return flow.Secret(secret), nil
}

// secretSource says where a machine profile's secret came from, for
// status and doctor.
func secretSource(e *config.Entry) string {
	if appenv.Lookup(appenv.ClientSecretVar(app)) != "" {
		return "AUTHWRAP_CLIENT_SECRET"
	}
	return "client_secret_file " + e.ClientSecretFile
}

// checkMachine is doctor's session check for a machine identity: which
// application, for which organization, and whether a token is at hand
// (none is not a problem: the next use runs the grant).
func (d *doctor) checkMachine(m *helper.Manager, e *config.Entry) *helper.Session {
	d.add("session", statusOK, "", "machine identity: M2M application %s, its secret from %s; tokens come from the client-credentials grant (no person, no refresh token)",
		e.ClientID, secretSource(e))
	s, err := m.Load()
	switch {
	case errors.Is(err, helper.ErrNotSignedIn):
		d.add("session", statusOK, "", "no token stored yet: the next use gets one (or run `authwrap login%s`)", profileArg(e.Name))
		return nil
	case err != nil:
		d.add("session", statusProblem, d.g.hint(err), "%v", err)
		return nil
	case s.ValidFor(0):
		d.add("session", statusOK, "", "a token is valid for %s; it is replaced by running the grant again", time.Until(s.Expiry).Round(time.Second))
	default:
		d.add("session", statusOK, "", "the stored token expired: the next use runs the grant again")
	}
	if s.OrganizationID != "" {
		d.add("session", statusOK, "", "acts for organization %s", s.OrganizationID)
	} else {
		d.add("session", statusOK, "", "the token names no organization")
	}
	return s
}

// machineHint says what to do about a refused client-credentials grant,
// or "".
func (g *Globals) machineHint(err error) string {
	var me *helper.MachineGrantError
	if !errors.As(err, &me) {
		return ""
	}
	p := profileArg(me.Profile)
	switch {
	case errors.Is(err, flow.ErrClientRejected):
		return fmt.Sprintf("check that AUTHWRAP_CLIENT_SECRET (or the profile's client_secret_file) holds a current secret of M2M application %s, from the WorkOS dashboard of the environment the issuer belongs to", me.ClientID)
	case errors.Is(err, flow.ErrUnauthorizedClient):
		return fmt.Sprintf("check in the WorkOS dashboard that %s is an enabled M2M application", me.ClientID)
	case errors.Is(err, flow.ErrInvalidScope):
		return fmt.Sprintf("ask only for scopes the application is granted (`%s config unset%s scopes` asks for all of them)", selfCommand(), p)
	}
	return ""
}
