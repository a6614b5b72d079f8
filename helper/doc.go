// Package helper owns an authwrap session: where its tokens live (a
// keyring backend chosen explicitly and probed), the cross-process lock
// that keeps parallel processes from racing a rotating refresh token, when
// to refresh and when to sign in, and how a sign-in is shown to a person.
//
// It builds on package flow for everything that talks to the
// authorization server, and never writes to a protocol stream: prompts go
// to a terminal or to stderr, through a Prompter.
package helper
