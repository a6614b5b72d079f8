// Package protocol holds the wire codecs of the programs authwrap serves
// credentials to (git's credential helper protocol, docker's credential
// helper messages): readers and writers over io.Reader and io.Writer.
//
// It never touches the network, a keyring or the clock. It is empty until
// the credential helpers are built.
package protocol
