// Package protocol holds the wire codecs of the programs authwrap serves
// credentials to: git's credential helper protocol (key=value lines) and
// docker's credential helper messages. Readers and writers work over
// io.Reader and io.Writer.
//
// It never touches the network, a keyring or the clock, and it never
// decides who gets a credential: that is package helper's job.
package protocol
