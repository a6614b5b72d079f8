// Package credhelper is authwrap's side of the credential helper
// protocols: which profile, if any, may receive a token for a host (host
// binding), the git and docker helpers built on that, the setup of git's
// and docker's configuration, and the loopback token endpoint of
// `exec --serve`.
package credhelper
