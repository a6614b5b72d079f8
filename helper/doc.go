// Package helper gives a Go program a WorkOS AuthKit session in a dozen
// lines: sign in with the device flow, keep the session in the system
// keyring, and get a valid access token whenever one is needed, refreshed
// as the token expires. It is what the authwrap command is built on.
//
//	m, err := helper.New(helper.Options{
//		App:     "mycli", // names the keyring service and the state directory
//		Profile: helper.Profile{ClientID: "client_..."},
//	})
//	s, err := m.Token(ctx, time.Minute) // signs in on the terminal when needed
//	req.Header.Set("Authorization", "Bearer "+s.AccessToken.Reveal())
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
// lines elsewhere), and PromptFunc lets a program show it its own way. A
// Manager without a Prompter never signs in on its own; Token then fails
// with a NotSignedInError that names the command to run.
//
// The package never writes to stdout: prompts go to a terminal or to
// stderr, through the Prompter.
package helper
