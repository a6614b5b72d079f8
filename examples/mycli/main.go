// Command mycli signs its users in with WorkOS AuthKit's device flow through
// authwrap's packages and calls an API with the token: login, get URL, logout.
// Everything its users see names mycli: the sign-in lines, the keyring item,
// the directories, MYCLI_FILE_PASSPHRASE; the words of its hints are its own.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"

	"github.com/alecthomas/kong"

	"github.com/authwrap/authwrap/helper"
)

type cli struct {
	ClientID string   `env:"MYCLI_CLIENT_ID" required:"" help:"Your AuthKit application's client ID."`
	APIURL   string   `env:"MYCLI_API_URL" help:"WorkOS API URL (default https://api.workos.com)."`
	Keyring  string   `env:"MYCLI_KEYRING_BACKEND" help:"Storage backend (default: the first that works here)."`
	Login    struct{} `cmd:"" help:"Sign in."`
	Logout   struct{} `cmd:"" help:"Sign out."`
	Get      struct {
		URL string `arg:"" help:"URL to GET with the token."`
	} `cmd:"" help:"Call an API with your token."`
}

func main() {
	var c cli
	k := kong.Parse(&c)
	// Ctrl-C cancels the context: a sign-in or a refresh in progress ends.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, &c, k.Command(), os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "mycli: error: %v\n", err)
		if h := hint(err); h != "" {
			fmt.Fprintf(os.Stderr, "mycli: hint: %s\n", h)
		}
		os.Exit(1)
	}
}

// hint turns the library's typed errors into mycli's words.
func hint(err error) string {
	switch {
	case errors.Is(err, helper.ErrNotSignedIn):
		return "run `mycli login`"
	case errors.Is(err, helper.ErrWrongPassphrase), errors.Is(err, helper.ErrNoPassphrase):
		return "set MYCLI_FILE_PASSPHRASE to the file keyring's passphrase"
	}
	return ""
}

func run(ctx context.Context, c *cli, command string, out io.Writer) error {
	store, err := helper.OpenStore(helper.StoreOptions{App: "mycli", Backend: c.Keyring})
	if err != nil {
		return err
	}
	m, err := helper.New(helper.Options{App: "mycli", Store: store,
		Profile: helper.Profile{ClientID: c.ClientID, APIURL: c.APIURL}})
	switch {
	case err != nil:
		return err
	case command == "login":
		_, err = m.Login(ctx)
		return err
	case command == "logout":
		return m.Logout(ctx)
	}
	// Fresh from the store, refreshed first when it expires within
	// DefaultMinTTL; signs in first only when stderr is a terminal (in a
	// pipe or CI it fails with ErrNotSignedIn, and hint says what to do).
	s, err := m.Token(ctx, helper.DefaultMinTTL)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.Get.URL, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+s.AccessToken.Reveal())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, err = io.Copy(out, resp.Body)
	return err
}
