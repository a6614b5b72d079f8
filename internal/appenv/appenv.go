// Package appenv names a program's own environment variables after the
// program (authwrap's AUTHWRAP_FILE_PASSPHRASE, a CLI called mycli's
// MYCLI_FILE_PASSPHRASE) and keeps the ones that unlock its storage out
// of every process it starts (as it does a machine identity's client
// secret). It never reads a configuration file.
package appenv

import (
	"os"
	"strings"
	"sync"
)

// Var is the name of app's variable NAME: "APP_NAME", the app's name in
// upper case with '-' and '.' as '_'.
func Var(app, name string) string {
	return strings.NewReplacer("-", "_", ".", "_").Replace(strings.ToUpper(app)) + "_" + name
}

// PassphraseVar holds the file keyring's passphrase.
func PassphraseVar(app string) string { return Var(app, "FILE_PASSPHRASE") }

// ClientSecretVar holds a machine identity's client secret (an M2M
// application's, for the client-credentials grant).
func ClientSecretVar(app string) string { return Var(app, "CLIENT_SECRET") }

// FileDirVar moves the file keyring's directory.
func FileDirVar(app string) string { return Var(app, "FILE_DIR") }

// taken holds, per variable, the values Take moved out of the
// environment.
var taken struct {
	sync.Mutex
	values map[string]string
}

// Take moves the named variables (those that unlock a program's storage,
// PassphraseVar, or get its tokens, ClientSecretVar) out of the process
// environment into memory, where Lookup still finds them: every process
// started afterwards (a command run with the token, a browser, git) gets
// an environment without them.
func Take(names ...string) {
	taken.Lock()
	defer taken.Unlock()
	for _, name := range names {
		if v, ok := os.LookupEnv(name); ok {
			if v != "" {
				if taken.values == nil {
					taken.values = map[string]string{}
				}
				taken.values[name] = v
			}
			_ = os.Unsetenv(name)
		}
	}
}

// Lookup returns the variable's value from the environment, or what
// Take moved out of it; "" when neither has one.
func Lookup(name string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	taken.Lock()
	defer taken.Unlock()
	return taken.values[name]
}
