package helper

import (
	"fmt"
	"io"
	"net/http"
	"os"

	"github.com/mattn/go-isatty"
)

// Options configure New. Only Profile.ClientID is required.
type Options struct {
	// App names the program: its keyring service and its directories
	// under the XDG base directories (DefaultApp when empty).
	App string
	// Profile says where to sign in and as which application; Name
	// defaults to DefaultProfile and APIURL to WorkOS's API.
	Profile Profile
	// Store keeps sessions; nil opens the first keyring backend that
	// works here (see Backends), under App.
	Store Store
	// StateDir holds the lock files; StateDir(App) when empty.
	StateDir string
	// Prompter shows a sign-in. Nil means NewTerminalPrompter(os.Stderr)
	// when stderr is a terminal, and otherwise no sign-in on demand
	// (Token fails with a NotSignedInError; Login prints plain lines).
	Prompter Prompter
	// HTTPClient sends requests to the authorization server; nil means
	// http.DefaultClient.
	HTTPClient *http.Client
	// Notify receives one-line notices for the person (waiting for another
	// process, a refresh that failed but left a usable token); nil drops
	// them.
	Notify func(msg string)
}

// New returns a Manager for one profile of one program, with its store,
// lock directory and prompt set up as Options says.
func New(o Options) (*Manager, error) {
	if o.App == "" {
		o.App = DefaultApp
	}
	if err := CheckProfileName(o.App); err != nil {
		return nil, fmt.Errorf("bad app name: %w", err)
	}
	if o.Profile.Name == "" {
		o.Profile.Name = DefaultProfile
	}
	if o.Profile.Issuer != "" && len(o.Profile.Scopes) == 0 {
		o.Profile.Scopes = DefaultScopes
	}
	if err := o.Profile.Validate(); err != nil {
		return nil, err
	}
	if o.Store == nil {
		ks, err := OpenStore(StoreOptions{App: o.App})
		if err != nil {
			return nil, err
		}
		o.Store = ks
	}
	if o.StateDir == "" {
		o.StateDir = StateDir(o.App)
	}
	if o.Prompter == nil && IsTerminal(os.Stderr) {
		o.Prompter = NewTerminalPrompter(os.Stderr)
	}
	return &Manager{Profile: o.Profile, App: o.App, Store: o.Store, Prompter: o.Prompter, HTTPClient: o.HTTPClient,
		Notify: o.Notify, LockDir: o.StateDir}, nil
}

// NewTerminalPrompter returns the prompt `authwrap login` uses, writing
// to w: live, with the browser opened, when w is a terminal; plain lines
// otherwise, with a QR code of the complete URL on a terminal. NO_COLOR
// turns off bold text and colors; TERM=dumb both and the live line, as
// does a Windows console that cannot draw escape sequences.
func NewTerminalPrompter(w io.Writer) *TerminalPrompter {
	// TERM=dumb (an editor's shell, a CI log viewer) takes no cursor
	// movement and no colour: plain lines then.
	// A Windows console draws them only with virtual-terminal processing
	// on, which is turned on here (plain lines where it cannot be).
	dumb := os.Getenv("TERM") == "dumb"
	if f, ok := w.(*os.File); ok && IsTerminal(w) && !escapesWork(f) {
		dumb = true
	}
	p := &TerminalPrompter{Out: w, Live: IsTerminal(w) && !dumb, Color: os.Getenv("NO_COLOR") == "" && !dumb}
	p.QR = p.Live
	if p.Live {
		p.Open = OpenBrowser
	}
	return p
}

// IsTerminal reports whether w is a terminal.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}
