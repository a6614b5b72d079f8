// Command reader is `authwrap token`'s cached read and nothing else: the
// configuration, the keyring and the session through the same packages
// (internal/config, helper), a refresh when due, and the token on stdout.
// Timed beside authwrap, it shows what splitting the binary would buy:
// the command line, the helpers, setup, doctor, the local server and the
// man page are all that it leaves out. It is a measurement, not a
// program to install (authwrap is one binary).
package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/authwrap/authwrap/helper"
	"github.com/authwrap/authwrap/internal/config"
)

func main() {
	cfg, err := config.Load(config.Path())
	if err != nil {
		fail(err)
	}
	e, err := cfg.Resolve(os.Getenv("AUTHWRAP_PROFILE"), helper.Profile{ClientID: os.Getenv("AUTHWRAP_CLIENT_ID"),
		APIURL: os.Getenv("AUTHWRAP_API_URL"), Issuer: os.Getenv("AUTHWRAP_ISSUER"), Scopes: strings.Fields(os.Getenv("AUTHWRAP_SCOPES"))})
	if err != nil {
		fail(err)
	}
	store, err := helper.OpenStore(helper.StoreOptions{App: "authwrap", Backend: cmpOr(os.Getenv("AUTHWRAP_KEYRING_BACKEND"), cfg.KeyringBackend)})
	if err != nil {
		fail(err)
	}
	m := &helper.Manager{Profile: e.Profile, Store: store}
	s, err := m.Token(context.Background(), 30*time.Second)
	if err != nil {
		fail(err)
	}
	_, _ = os.Stdout.WriteString(s.AccessToken.Reveal() + "\n")
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "reader:", err)
	os.Exit(1)
}
