package helper

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/authwrap/authwrap/flow"
	"github.com/authwrap/authwrap/internal/safetext"
	"github.com/authwrap/authwrap/internal/xdg"
)

// Authenticator is what a Manager needs from the authorization server;
// *flow.Client satisfies it.
type Authenticator interface {
	Start(ctx context.Context) (*flow.DeviceAuth, error)
	Poll(ctx context.Context, d *flow.DeviceAuth) (*flow.Token, error)
	Refresh(ctx context.Context, refreshToken flow.Secret, opts flow.RefreshOptions) (*flow.Token, error)
}

// ErrNotSignedIn matches every error that means "this profile has no
// usable session": *NotSignedInError.
var ErrNotSignedIn = errors.New("not signed in")

// NotSignedInError says a profile has no usable session: a program
// tells the person how to sign in (authwrap says "run `authwrap login`").
type NotSignedInError struct {
	// Profile is the profile with no usable session.
	Profile string
	// Reason, when set, says why an existing session cannot be used.
	Reason string
	// Err is the server's answer when the session ended there.
	Err error
}

// Error says which profile, and why when it is known.
func (e *NotSignedInError) Error() string {
	if e.Reason != "" {
		return fmt.Sprintf("not signed in to %s (%s)", e.Profile, e.Reason)
	}
	return "not signed in to " + e.Profile
}

// Unwrap makes errors.Is(err, ErrNotSignedIn) true, and exposes the
// server's answer.
func (e *NotSignedInError) Unwrap() []error { return []error{ErrNotSignedIn, e.Err} }

// Defaults for Manager.
const (
	// defaultLockWait bounds how long a process waits for another one that
	// is signing in or refreshing the same profile: longer than a device
	// code lives, so a waiting process sees the other sign-in through.
	defaultLockWait = 16 * time.Minute
	// DefaultMinTTL is the minimum lifetime to pass Token for a token
	// used at once, for one request: a token with less left is refreshed
	// first. Pass more for work that uses the token longer (authwrap's
	// credential helpers ask for a minute, exec for five).
	DefaultMinTTL = 30 * time.Second
	// requestTimeout bounds each request to the authorization server.
	requestTimeout = 15 * time.Second
	// defaultRefreshTimeout bounds a refresh, its retries included, so that
	// a server that accepts and never answers holds a git or docker
	// command up for this long at most.
	defaultRefreshTimeout = 20 * time.Second
)

// Manager gets valid tokens for one profile: from the store when fresh,
// by refreshing under the profile's lock when not, and by signing in when
// there is no session and a Prompter can show it.
type Manager struct {
	// Profile is the profile to serve.
	Profile Profile
	// App names the program: in the lines the person sees, the user agent,
	// the lock directory. New requires and sets it.
	App string
	// Store keeps the session.
	Store Store
	// Auth talks to the server; nil builds a *flow.Client from Profile
	// (with discovery for a standard server) on first use.
	Auth Authenticator
	// HTTPClient is used when Auth is built; nil means http.DefaultClient.
	HTTPClient *http.Client
	// Prompter shows a sign-in to a person; nil means no sign-in on demand.
	Prompter Prompter
	// Notify receives one-line messages for the person (waiting for the
	// lock, a refresh that failed but left a usable token); may be nil.
	Notify func(msg string)
	// LockDir holds the lock files; $XDG_STATE_HOME/APP when empty.
	LockDir string
	// LockWait bounds the wait for the lock (another process signing in
	// or refreshing); 16 minutes when zero, longer than a device code
	// lives. Set it after New, before first use.
	LockWait time.Duration
	// RefreshTimeout bounds a refresh, retries included; 20 seconds when
	// zero. Set it after New, before first use.
	RefreshTimeout time.Duration
	// PromptCooldown, when set, stops Token from prompting again for this
	// long after a sign-in on demand failed (denied, expired, cancelled):
	// docker build asks for every registry in a row, and a person who said
	// no once must not be asked again for each of them.
	PromptCooldown time.Duration
	// KeepWarm is the idle window of the profile's keeper (see Keep):
	// when set, each Token records its use, and a Token that had to
	// refresh or sign in itself calls StartKeeper. Zero keeps no session
	// warm.
	KeepWarm time.Duration
	// StartKeeper starts a process that runs Keep for this profile (the
	// program itself, detached from the terminal and the caller); nil
	// starts none.
	StartKeeper func() error

	authOnce sync.Once
	authErr  error
}

func (m *Manager) notify(format string, a ...any) {
	if m.Notify != nil {
		m.Notify(fmt.Sprintf(format, a...))
	}
}

func (m *Manager) auth(ctx context.Context) (Authenticator, error) {
	m.authOnce.Do(func() {
		if m.Auth != nil {
			return
		}
		var c *flow.Client
		c, m.authErr = newClient(ctx, m.app(), m.Profile, m.HTTPClient)
		if m.authErr == nil {
			m.Auth = c
		}
	})
	return m.Auth, m.authErr
}

// Client returns a flow client for the Manager's profile (discovery run
// for a standard server), for what the Manager does not do itself: a
// check of the server, a request of the program's own.
func (m *Manager) Client(ctx context.Context) (*flow.Client, error) {
	return newClient(ctx, m.app(), m.Profile, m.HTTPClient)
}

// newClient builds the flow client for a profile, running discovery for a
// standard server; app is the user agent.
func newClient(ctx context.Context, app string, p Profile, hc *http.Client) (*flow.Client, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	c := &flow.Client{ClientID: p.ClientID, Scopes: p.Scopes, HTTPClient: hc, UserAgent: app,
		RequestTimeout: requestTimeout}
	var err error
	switch {
	case p.Machine():
		c.Provider, err = c.DiscoverM2M(ctx, p.Issuer)
	case p.Flavour() == flow.Standard:
		c.Provider, err = c.Discover(ctx, p.Issuer)
	default:
		c.Provider, err = flow.WorkOS(p.APIURL, p.ClientID)
	}
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Load returns the stored session if it belongs to this profile's server
// and client. It never refreshes and never takes the lock. With no
// session it returns a *NotSignedInError (errors.Is ErrNotSignedIn, not
// ErrNoSession, which is the Store's word); with another server's or
// client's session, that session and a *NotSignedInError saying whose it
// is. An unreadable store's error is returned as it is.
func (m *Manager) Load() (*Session, error) {
	s, err := m.Store.Load(m.Profile.Name)
	if errors.Is(err, ErrNoSession) {
		return nil, m.notSignedIn("", nil)
	}
	if err != nil {
		return nil, err
	}
	if s.Server != m.Profile.Server() || s.ClientID != m.Profile.ClientID {
		return s, m.notSignedIn(fmt.Sprintf("the stored session is for client %s at %s", s.ClientID, s.Server), nil)
	}
	return s, nil
}

func (m *Manager) notSignedIn(reason string, err error) *NotSignedInError {
	return &NotSignedInError{Profile: m.Profile.Name, Reason: reason, Err: err}
}

// Token returns a session whose access token stays valid for at least
// minTTL (DefaultMinTTL for a token used at once). When the server's
// tokens live less than minTTL, no token could: Token then returns the
// freshest there is, refreshing only once a token is past the first
// tenth of its life (see Session.Fresh), so check ValidFor if the work
// must not outlive it. A fresh stored token is returned without any lock or request.
// Otherwise, under the profile's lock, it re-reads the store, refreshes
// (saving the rotated pair before returning it), or signs in when there
// is no session and a Prompter is set. For a machine identity
// (Profile.Machine) it runs the client-credentials grant instead, once
// for all the processes waiting on the lock, and never prompts.
func (m *Manager) Token(ctx context.Context, minTTL time.Duration) (*Session, error) {
	return m.token(ctx, minTTL, true)
}

// token is Token; use says a caller uses the token (a keeper's refresh
// is not a use): the use is recorded, and a keeper started after this
// process had to refresh or sign in itself.
func (m *Manager) token(ctx context.Context, minTTL time.Duration, use bool) (*Session, error) {
	used := func(self bool) {
		switch {
		case !use:
		case self:
			m.startKeeper()
		default:
			m.touchUsed()
		}
	}
	// A token counts as fresh when Session.Fresh says so, or when another
	// process replaced the one this call started with while it waited.
	var seen flow.Secret // the access token first read ("" for none)
	first := true
	var fresh *Session
	freshNow := func() bool {
		s, err := m.Load()
		var cur flow.Secret
		if err == nil {
			cur = s.AccessToken
		}
		if first {
			seen, first = cur, false
		}
		if err == nil && (s.Fresh(minTTL) || (cur != seen && s.ValidFor(0))) {
			fresh = s
			return true
		}
		return false
	}
	if freshNow() {
		used(false)
		return fresh, nil
	}
	// While another process holds the lock (refreshing or signing in), keep
	// reading the store: its fresh token ends the wait without the lock.
	// A caller that could not sign in itself does not wait long for
	// another's sign-in, which waits on a person.
	waitStart := time.Now()
	var othersSignIn bool
	satisfied := func() bool {
		if freshNow() {
			return true
		}
		if m.Prompter == nil && time.Since(waitStart) >= noPromptSignInWait && fileExists(m.signInMarker()) {
			othersSignIn = true
			return true
		}
		return false
	}
	unlock, err := m.lock(ctx, satisfied)
	if errors.Is(err, errSatisfied) && othersSignIn {
		return nil, m.notSignedIn("another process is waiting for its sign-in to be approved", nil)
	}
	if errors.Is(err, errSatisfied) {
		used(false)
		return fresh, nil
	}
	if err != nil {
		return nil, err
	}
	defer unlock()
	if freshNow() {
		used(false)
		return fresh, nil
	}
	if m.Profile.Machine() {
		return m.machineGrant(ctx)
	}

	s, err := m.Load()
	switch {
	case err == nil && !s.RefreshToken.IsZero():
		var next *Session
		next, err = m.refreshWith(ctx, s, flow.RefreshOptions{})
		switch {
		case err == nil:
			used(true)
			return next, nil
		case ctx.Err() != nil:
			// Interrupted (Ctrl-C, a deadline): stop, do not fall back.
			return nil, context.Cause(ctx)
		case errors.Is(err, ErrNotSignedIn): // the session ended: sign in below
		case s.ValidFor(0):
			m.recordRefreshFailure(err)
			m.notify("warning: could not refresh the session for %s (%v); using the current token, valid for %s",
				m.Profile.Name, err, roundDur(time.Until(s.Expiry)))
			used(false)
			return s, nil
		default:
			m.recordRefreshFailure(err)
			return nil, fmt.Errorf("could not refresh the session for %s: %w; the session is kept, try again", m.Profile.Name, err)
		}
	case err == nil && s.Machine:
		err = m.notSignedIn("the machine token expired and no client secret is set to get another", nil)
	case err == nil:
		err = m.notSignedIn("the token expired and there is no refresh token", nil)
	}
	if !errors.Is(err, ErrNotSignedIn) || m.Prompter == nil {
		return nil, err
	}
	marker := filepath.Join(m.lockDir(), m.Profile.Name+".signin-failed")
	if m.PromptCooldown > 0 && recentFile(marker, m.PromptCooldown) {
		return nil, m.notSignedIn("a sign-in failed moments ago", nil)
	}
	s, err = m.signInWith(ctx, m.Prompter)
	if err != nil {
		if m.PromptCooldown > 0 {
			_ = os.WriteFile(marker, nil, 0o600)
		}
		return nil, err
	}
	_ = os.Remove(marker)
	m.notify("signed in to %s as %s", m.Profile.Name, s.Who())
	used(true)
	return s, nil
}

// noPromptSignInWait bounds how long Token without a Prompter waits for
// another process's sign-in (which waits on a person) before it fails
// as not signed in. A refresh by another process is waited for as long
// as LockWait allows.
const noPromptSignInWait = 3 * time.Second

// signInMarker is the file a process keeps in the lock directory while it
// signs in under the lock, so that waiters can tell a sign-in (minutes,
// a person) from a refresh (a second).
func (m *Manager) signInMarker() string {
	return filepath.Join(m.lockDir(), m.Profile.Name+".signing-in")
}

func fileExists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// recentFile reports whether path exists and was written within d.
func recentFile(path string, d time.Duration) bool {
	fi, err := os.Stat(path)
	return err == nil && time.Since(fi.ModTime()) < d
}

func (m *Manager) lockDir() string {
	if m.LockDir != "" {
		return m.LockDir
	}
	return xdg.StateDir(m.app())
}

// app is the program's name: App, else authwrap's.
func (m *Manager) app() string { return cmp.Or(m.App, defaultApp) }

// Login signs in afresh, replacing any stored session, under the lock.
// With no Prompter it prints plain lines on stderr. For a machine
// identity it runs the client-credentials grant instead: no person, no
// prompt.
func (m *Manager) Login(ctx context.Context) (*Session, error) {
	unlock, err := m.lock(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if m.Profile.Machine() {
		return m.machineGrant(ctx)
	}
	p := m.Prompter
	if p == nil {
		p = &TerminalPrompter{Out: os.Stderr, App: m.App}
	}
	s, err := m.signInWith(ctx, p)
	if err == nil {
		m.startKeeper()
	}
	return s, err
}

// Logout deletes the profile's stored session, readable or not. WorkOS
// has no revocation a public client may call; the session ends on the
// server when it expires or an administrator ends it.
func (m *Manager) Logout(ctx context.Context) error {
	_, err := m.DeleteSession(ctx)
	return err
}

// DeleteSession is Logout that also says whether there was anything to
// delete: a session of this profile, readable or not, or a stored item
// that belongs to another server or client. It looks under the lock, so
// a sign-in that another process is finishing is seen.
func (m *Manager) DeleteSession(ctx context.Context) (existed bool, err error) {
	unlock, err := m.lock(ctx, nil)
	if err != nil {
		return false, err
	}
	defer unlock()
	_, loadErr := m.Store.Load(m.Profile.Name)
	if err := m.Store.Delete(m.Profile.Name); err != nil {
		return false, err
	}
	m.clearRefreshFailure()
	return !errors.Is(loadErr, ErrNoSession), nil
}

// SwitchOrganization moves the session to another organization the user
// belongs to (its ID, or a name only one of the organizations the server
// offered at sign-in has) (WorkOS User Management), through the refresh grant's
// organization_id, and saves the new pair. The server refuses an
// organization the user is not a member of; the session is then kept.
func (m *Manager) SwitchOrganization(ctx context.Context, org string) (*Session, error) {
	unlock, err := m.lock(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer unlock()
	s, err := m.Load()
	if err != nil {
		return nil, err
	}
	orgID, err := resolveOrganization(s.Organizations, org)
	if err != nil {
		return nil, err
	}
	next, err := m.refreshWith(ctx, s, flow.RefreshOptions{OrganizationID: orgID})
	if err != nil {
		return nil, fmt.Errorf("switching %s to organization %s: %w", m.Profile.Name, safetext.Inert(orgID), err)
	}
	return next, nil
}

// Invalidate drops the stored access token if it is tok (a server refused
// it), keeping the refresh token, so that the next Token refreshes. It
// never deletes the session. The stored session then reports Dropped,
// and its Expiry is in 1970 (no token to expire): check Dropped before
// showing the expiry.
func (m *Manager) Invalidate(ctx context.Context, tok flow.Secret) error {
	unlock, err := m.lock(ctx, nil)
	if err != nil {
		return err
	}
	defer unlock()
	s, err := m.Load()
	if err != nil || s.AccessToken != tok {
		return nil
	}
	s.Expiry = droppedExpiry
	return m.Store.Save(s)
}

// lock takes the profile's lock. If satisfied is not nil and reports true
// while waiting, lock returns errSatisfied without the lock.
func (m *Manager) lock(ctx context.Context, satisfied func() bool) (func(), error) {
	dir := m.lockDir()
	wait := m.LockWait
	if wait <= 0 {
		wait = defaultLockWait
	}
	return lockProfile(ctx, lockWait{dir: dir, profile: m.Profile.Name, max: wait, satisfied: satisfied,
		notify: func() {
			m.notify("waiting for another %s to finish signing in to %s…", m.app(), m.Profile.Name)
		}})
}

// refreshWith refreshes s under the lock and saves the rotated pair.
// When the server says the session is over (invalid_grant and its kin),
// the session is deleted and the error is a *NotSignedInError; any other
// failure leaves the session as it was.
func (m *Manager) refreshWith(ctx context.Context, s *Session, opts flow.RefreshOptions) (*Session, error) {
	a, err := m.auth(ctx)
	if err != nil {
		return nil, err
	}
	tok, err := refreshRetrying(ctx, a, s.RefreshToken, opts, cmp.Or(m.RefreshTimeout, defaultRefreshTimeout))
	if errors.Is(err, flow.ErrReauthenticate) {
		if derr := m.Store.Delete(m.Profile.Name); derr != nil {
			return nil, derr
		}
		m.clearRefreshFailure()
		return nil, m.notSignedIn("the session has ended", err)
	}
	if err != nil {
		return nil, err
	}
	next := sessionFromToken(m.Profile, tok)
	if next.Email == "" {
		next.Email = s.Email // the standard flavour does not repeat it
	}
	// The organizations offered at sign-in, and the name of the one the
	// session is in now, are the server's answer to remember.
	next.Organizations = s.Organizations
	if next.OrganizationID == s.OrganizationID {
		next.OrganizationName = s.OrganizationName
	} else if o, ok := matchOrganization(s.Organizations, next.OrganizationID); ok {
		next.OrganizationName = o.Name
	}
	if err := m.Store.Save(next); err != nil {
		return nil, fmt.Errorf("%w: %w", errSaveRefreshed, err)
	}
	m.clearRefreshFailure()
	return next, nil
}

// Refresh retry bounds: a transient failure is retried with the same
// refresh token, so an answer lost on the way (the server rotated, the
// client never heard) is recovered inside the server's replay grace window.
const (
	refreshAttempts      = 3
	refreshFirstBackoff  = 500 * time.Millisecond
	refreshMaxRetryAfter = 5 * time.Second
)

// refreshRetrying refreshes, retrying transient failures within budget.
// When the budget runs out it returns the last failure, not the deadline.
func refreshRetrying(ctx context.Context, a Authenticator, rt flow.Secret, opts flow.RefreshOptions, budget time.Duration) (*flow.Token, error) {
	outer := ctx
	ctx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	wait := refreshFirstBackoff
	for attempt := 1; ; attempt++ {
		tok, err := a.Refresh(ctx, rt, opts)
		if err == nil || !flow.IsTransient(err) || attempt == refreshAttempts || ctx.Err() != nil {
			if err != nil && outer.Err() == nil && ctx.Err() != nil {
				err = fmt.Errorf("gave up after %s: %w", budget, err)
			}
			return tok, err
		}
		var fe *flow.Error
		if errors.As(err, &fe) && fe.RetryAfter > wait {
			if fe.RetryAfter > refreshMaxRetryAfter {
				return nil, err
			}
			wait = fe.RetryAfter
		}
		if dl, _ := ctx.Deadline(); time.Until(dl) < wait {
			return nil, fmt.Errorf("gave up after %s: %w", budget, err)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			if outer.Err() != nil {
				return nil, context.Cause(outer)
			}
			return nil, fmt.Errorf("gave up after %s: %w", budget, err)
		case <-t.C:
		}
		wait *= 2
	}
}

// signInWith runs a device sign-in shown by prompter (the lock is held)
// and saves the session.
func (m *Manager) signInWith(ctx context.Context, prompter Prompter) (*Session, error) {
	// A keyring that cannot be read (locked, unreachable) would not take
	// the new session either: say so before the person approves a code.
	var ce *CorruptError
	if _, err := m.Store.Load(m.Profile.Name); err != nil && !errors.Is(err, ErrNoSession) && !errors.As(err, &ce) {
		return nil, fmt.Errorf("not starting a sign-in: %w", err)
	}
	// What the store needs from the person (a passphrase) is asked now,
	// before the code, not after the approval.
	if u, ok := m.Store.(interface{ Unlock() error }); ok {
		if err := u.Unlock(); err != nil {
			return nil, fmt.Errorf("not starting a sign-in: %w", err)
		}
	}
	a, err := m.auth(ctx)
	if err != nil {
		return nil, err
	}
	d, err := a.Start(ctx)
	if err != nil {
		return nil, err
	}
	marker := m.signInMarker()
	_ = os.WriteFile(marker, nil, 0o600)
	defer os.Remove(marker)
	host, _ := os.Hostname()
	who := m.app()
	if u, err := user.Current(); err == nil {
		who += " (user " + u.Username + ")"
	}
	done := prompter.Prompt(ctx, SignIn{Profile: m.Profile, Device: d, Host: host, User: who})
	tok, err := a.Poll(ctx, d)
	done(err)
	var orgName string
	var offered []flow.Organization
	if err != nil {
		if tok, orgName, offered, err = m.nextStep(ctx, a, prompter, err); err != nil {
			return nil, err
		}
	}
	if tok, err = m.intoOrganization(ctx, a, tok, orgName != ""); err != nil {
		return nil, err
	}
	s := sessionFromToken(m.Profile, tok)
	s.OrganizationName, s.Organizations = orgName, offered
	if err := m.Store.Save(s); err != nil {
		return nil, fmt.Errorf("signed in, but the session could not be saved: %w", err)
	}
	m.clearRefreshFailure()
	return s, nil
}

// nextStep takes the step a sign-in answered with a pending
// authentication needs: an organization choice (from the profile's
// Organization, else the Prompter's menu, else an error listing them),
// or, for a step only the person can take, a *SignInStepError saying
// what to do. Any other error is returned as it is.
func (m *Manager) nextStep(ctx context.Context, a Authenticator, prompter Prompter, err error) (*flow.Token, string, []flow.Organization, error) {
	var fe *flow.Error
	if !errors.As(err, &fe) || fe.Pending == nil {
		return nil, "", nil, err
	}
	if !errors.Is(err, flow.ErrOrganizationSelection) {
		return nil, "", nil, &SignInStepError{Code: fe.Code, Message: fe.Description, Email: fe.Pending.Email, Err: err}
	}
	offered := fe.Pending.Organizations
	choice := &OrganizationChoiceError{Profile: m.Profile.Name, Wanted: m.Profile.Organization, Offered: offered}
	if len(offered) == 0 {
		return nil, "", nil, choice
	}
	var org flow.Organization
	switch chooser, ok := prompter.(OrganizationChooser); {
	case m.Profile.Organization != "":
		var found bool
		if org, found = matchOrganization(offered, m.Profile.Organization); !found {
			return nil, "", nil, choice
		}
	case ok:
		org, err = chooser.ChooseOrganization(ctx, m.Profile, offered)
		if errors.Is(err, ErrCannotChoose) {
			return nil, "", nil, choice
		}
		if err != nil {
			return nil, "", nil, err
		}
	default:
		return nil, "", nil, choice
	}
	sel, ok := a.(organizationSelector)
	if !ok {
		return nil, "", nil, fmt.Errorf("%w: this authenticator cannot complete an organization choice", err)
	}
	tok, err := sel.SelectOrganization(ctx, fe.Pending.Token, org.ID)
	if err != nil {
		return nil, "", nil, err
	}
	return tok, cmp.Or(org.Name, org.ID), offered, nil
}

// intoOrganization moves a fresh sign-in into the profile's Organization
// (an ID) when the server did not ask which and put it elsewhere: with
// the refresh grant, before anything is saved, so that a sign-in into an
// organization the user is not in stores nothing.
func (m *Manager) intoOrganization(ctx context.Context, a Authenticator, tok *flow.Token, chosen bool) (*flow.Token, error) {
	want := m.Profile.Organization
	if chosen || want == "" || want == tok.OrganizationID {
		return tok, nil
	}
	if !isOrganizationID(want) {
		return nil, &OrganizationNameError{Name: want, Current: tok.OrganizationID}
	}
	next, err := a.Refresh(ctx, tok.RefreshToken, flow.RefreshOptions{OrganizationID: want})
	if err != nil {
		return nil, fmt.Errorf("signed in, but not into organization %s (nothing was stored): %w", safetext.Inert(want), err)
	}
	return next, nil
}

// matchOrganization finds want among offered: by ID, else by a name that
// exactly one of them has.
func matchOrganization(offered []flow.Organization, want string) (flow.Organization, bool) {
	var byName []flow.Organization
	for _, o := range offered {
		if o.ID == want {
			return o, true
		}
		if o.Name == want {
			byName = append(byName, o)
		}
	}
	if len(byName) == 1 {
		return byName[0], true
	}
	return flow.Organization{}, false
}

// isOrganizationID reports whether s is a WorkOS organization ID.
func isOrganizationID(s string) bool { return strings.HasPrefix(s, "org_") }

// resolveOrganization turns want (an ID, or a name) into an ID: a name
// must be one exactly one of offered has; it is never sent as an ID.
func resolveOrganization(offered []flow.Organization, want string) (string, error) {
	if isOrganizationID(want) {
		return want, nil
	}
	for _, o := range offered {
		if strings.EqualFold(o.Name, want) && len(matchingNames(offered, want)) == 1 {
			return o.ID, nil
		}
	}
	return "", &OrganizationNameError{Name: want, Offered: offered}
}

func matchingNames(offered []flow.Organization, name string) []flow.Organization {
	var out []flow.Organization
	for _, o := range offered {
		if strings.EqualFold(o.Name, name) {
			out = append(out, o)
		}
	}
	return out
}

// OrganizationNameError means an organization was named where its ID is
// needed, and no organization the server offered has that name (only
// one): the server takes IDs only, and a name is never sent as one.
type OrganizationNameError struct {
	// Name is the name given.
	Name string
	// Offered are the organizations the server offered (none when it
	// asked no one to choose: a user in one organization).
	Offered []flow.Organization
	// Current is the organization a sign-in landed in, when one did.
	Current string
}

// Error says which name, and what the server offered.
func (e *OrganizationNameError) Error() string {
	msg := fmt.Sprintf("%q is not an organization ID (org_...) and ", safetext.Inert(e.Name))
	if len(e.Offered) == 0 {
		msg += "the server named no organizations to match it against"
	} else {
		names := make([]string, len(e.Offered))
		for i, o := range e.Offered {
			names[i] = safetext.Inert(cmp.Or(o.Name, o.ID))
		}
		msg += "no one organization the server offered has that name (it offered " + strings.Join(names, ", ") + ")"
	}
	if e.Current != "" {
		msg += "; the sign-in landed in " + safetext.Inert(e.Current) + ", and nothing was stored"
	}
	return msg
}
