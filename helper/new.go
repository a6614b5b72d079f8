package helper

import (
	"cmp"
	"io"
	"net/http"
	"os"

	"github.com/authwrap/authwrap/internal/appenv"
	"github.com/authwrap/authwrap/internal/term"
	"github.com/authwrap/authwrap/internal/xdg"
)

// Options configure New. Only App and Profile.ClientID are needed.
type Options struct {
	// App names the program, and everything the person sees derives from
	// it: the prefix of the sign-in lines ("mycli: your one-time code is
	// ..."), the user agent, the keyring service, the directories under
	// the XDG base directories ($XDG_STATE_HOME/mycli), and the variables
	// read (MYCLI_FILE_PASSPHRASE, MYCLI_FILE_DIR). Required: a program
	// never wears another's name by omission.
	App string
	// Profile says where to sign in and as which application; Name
	// defaults to DefaultProfile and APIURL to WorkOS's API.
	Profile Profile
	// Store keeps sessions; nil opens the first keyring backend that
	// works here (see Backends), under App.
	Store Store
	// StateDir holds the lock files; $XDG_STATE_HOME/APP when empty.
	StateDir string
	// Prompter shows a sign-in. Nil means NewTerminalPrompter(os.Stderr)
	// when stderr is a terminal, and otherwise no sign-in on demand:
	// Token then fails with a *NotSignedInError (in a pipe, in CI), and
	// Login prints plain lines on stderr.
	Prompter Prompter
	// NoPrompt turns off sign-in on demand even on a terminal: Token
	// never prompts (a credential helper whose caller cannot show it).
	NoPrompt bool
	// HTTPClient sends requests to the authorization server; nil means
	// http.DefaultClient.
	HTTPClient *http.Client
	// Notify receives one-line notices for the person (waiting for another
	// process, a refresh that failed but left a usable token); nil drops
	// them.
	Notify func(msg string)
}

// New returns a Manager for one profile of one program, with its store,
// lock directory and prompt set up as Options says. It is the one way to
// build a Manager (authwrap builds its own with it). It takes the file
// keyring's passphrase variable (APP_FILE_PASSPHRASE) out of the process
// environment, so that no command the program starts afterwards inherits
// it; the Manager still reads it.
func New(o Options) (*Manager, error) {
	if err := checkApp(o.App); err != nil {
		return nil, err
	}
	appenv.Take(appenv.PassphraseVar(o.App))
	o.Profile.Name = cmp.Or(o.Profile.Name, DefaultProfile)
	if err := CheckProfileName(o.Profile.Name); err != nil {
		return nil, err
	}
	if o.Profile.Issuer != "" && len(o.Profile.Scopes) == 0 {
		o.Profile.Scopes = DefaultScopes
	}
	if o.Store == nil {
		ks, err := OpenStore(StoreOptions{App: o.App})
		if err != nil {
			return nil, err
		}
		o.Store = ks
	}
	if o.StateDir == "" {
		o.StateDir = xdg.StateDir(o.App)
	}
	switch {
	case o.NoPrompt:
		o.Prompter = nil
	case o.Prompter == nil && term.IsTerminal(os.Stderr):
		o.Prompter = NewTerminalPrompter(os.Stderr)
	}
	if tp, ok := o.Prompter.(*TerminalPrompter); ok && tp.App == "" {
		tp.App = o.App
	}
	return &Manager{Profile: o.Profile, App: o.App, Store: o.Store, Prompter: o.Prompter, HTTPClient: o.HTTPClient,
		Notify: o.Notify, LockDir: o.StateDir}, nil
}

// NewTerminalPrompter returns the sign-in prompt on a terminal, writing
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
	if f, ok := w.(*os.File); ok && term.IsTerminal(w) && !term.EscapesWork(f) {
		dumb = true
	}
	p := &TerminalPrompter{Out: w, Live: term.IsTerminal(w) && !dumb, Color: os.Getenv("NO_COLOR") == "" && !dumb}
	p.QR = p.Live
	if p.Live {
		p.Open = term.OpenBrowser
	}
	return p
}
