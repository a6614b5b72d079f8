// Package helper gives a Go program a WorkOS AuthKit session in a dozen
// lines: sign in with the device flow, keep the session in the system
// keyring, and get a valid access token whenever one is needed, refreshed
// as the token expires. It is what the authwrap command is built on.
//
//	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt) // Ctrl-C ends a wait
//	defer stop()
//	m, err := helper.New(helper.Options{
//		App:     "mycli", // everything the user sees says mycli
//		Profile: helper.Profile{ClientID: "client_..."},
//	})
//	s, err := m.Token(ctx, helper.DefaultMinTTL) // signs in on a terminal when needed
//	req.Header.Set("Authorization", "Bearer "+s.AccessToken.Reveal())
//
// Everything the program's users see derives from Options.App: the
// sign-in lines ("mycli: your one-time code is ..."), the keyring item,
// the state and data directories, MYCLI_FILE_PASSPHRASE. Errors carry data
// (*NotSignedInError names the profile); the words of a hint ("run `mycli
// login`") are the program's, as examples/mycli shows. New takes
// MYCLI_FILE_PASSPHRASE out of the environment so that no command the
// program runs inherits it; there is nothing else to call first.
//
// Manager.Login signs in afresh and Manager.Logout forgets the session. What
// to configure in the WorkOS dashboard, for each flavour, and what your
// users see is in package flow's documentation; Profile.APIURL selects
// WorkOS User Management (the default) and Profile.Issuer a standard
// server found by discovery.
//
// What a Manager guarantees, across every process of the program at once:
// one lock file per profile, so that parallel processes make one refresh
// request (WorkOS rotates refresh tokens; racing refreshes sign people
// out) and one sign-in; a rotated pair saved before any token is returned;
// a refresh whose answer was lost retried with the same refresh token;
// network failures never deleting a session, only the server saying it
// has ended. Storage is github.com/99designs/keyring with the backend
// chosen explicitly and probed (see Backends and OpenStore); importing
// this package never starts a D-Bus daemon.
//
// The sign-in is shown by a Prompter: NewTerminalPrompter gives the one
// `authwrap login` uses (a live line and the browser on a terminal, plain
// lines elsewhere), and PromptFunc lets a program show it its own way. New
// sets the terminal one when stderr is a terminal; in a pipe or CI there is
// none, and Token then fails at once with a *NotSignedInError (ErrNotSignedIn)
// rather than wait for a person: tell the user to sign in. Token stops
// waiting when its context ends (pass one that Ctrl-C cancels).
//
// The package never writes to stdout: prompts go to a terminal or to
// stderr, through the Prompter.
package helper
