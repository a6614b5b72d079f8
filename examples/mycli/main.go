// Command mycli signs its users in with WorkOS AuthKit's device flow through
// authwrap's packages and calls an API with the token: login, get URL, logout.
package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/alecthomas/kong"
	"github.com/authwrap/authwrap/helper"
)

type cli struct {
	ClientID string   `env:"MYCLI_CLIENT_ID" required:"" help:"Your AuthKit application's client ID."`
	APIURL   string   `env:"MYCLI_API_URL" help:"WorkOS API URL (default https://api.workos.com)."`
	Login    struct{} `cmd:"" help:"Sign in."`
	Logout   struct{} `cmd:"" help:"Sign out."`
	Get      struct {
		URL string `arg:"" help:"URL to GET with the token."`
	} `cmd:"" help:"Call an API with your token."`
}

func main() {
	var c cli
	k := kong.Parse(&c)
	k.FatalIfErrorf(run(context.Background(), &c, k.Command(), os.Stdout))
}

func run(ctx context.Context, c *cli, command string, out io.Writer) error {
	m, err := helper.New(helper.Options{App: "mycli", Profile: helper.Profile{ClientID: c.ClientID, APIURL: c.APIURL}})
	switch {
	case err != nil:
		return err
	case command == "login":
		_, err = m.Login(ctx)
		return err
	case command == "logout":
		return m.Logout(ctx)
	}
	s, err := m.Token(ctx, time.Minute) // refreshed when needed; signs in on a terminal
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
