package helper_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"time"

	"github.com/authwrap/authwrap/flow"
	"github.com/authwrap/authwrap/flow/authkittest"
	"github.com/authwrap/authwrap/helper"
)

// newExample starts a local AuthKit server that approves every code at
// once, and returns Options for a program named "mycli" that keeps its
// session in a throwaway directory. A real program sets only App and
// Profile (ClientID, and APIURL or Issuer).
func newExample(cfg authkittest.Config) (*authkittest.Server, helper.Options, func()) {
	cfg.Interval, cfg.AutoApprove = time.Second, time.Millisecond
	srv := authkittest.NewServer(cfg)
	dir, _ := os.MkdirTemp("", "helper-example-")
	store, _ := helper.OpenStore(helper.StoreOptions{App: "mycli", Backend: "file", FileDir: dir,
		Passphrase: func(string) (string, error) { return "example", nil }})
	quiet := helper.PromptFunc(func(context.Context, helper.SignIn) func(error) { return func(error) {} })
	opts := helper.Options{
		App:      "mycli",
		Profile:  helper.Profile{ClientID: authkittest.DefaultClientID, APIURL: srv.URL},
		Store:    store,
		StateDir: dir,
		Prompter: quiet,
	}
	return srv, opts, func() { srv.Close(); os.RemoveAll(dir) }
}

// Sign in (the test server approves at once) and get a token to call an
// API with.
func Example() {
	_, opts, cleanup := newExample(authkittest.Config{})
	defer cleanup()

	m, err := helper.New(opts)
	if err != nil {
		fmt.Println(err)
		return
	}
	s, err := m.Token(context.Background(), time.Minute) // signs in: no session yet
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("signed in as", s.Email)
	fmt.Println("token valid for a minute:", s.ValidFor(time.Minute))
	// Output:
	// signed in as dev@example.com
	// token valid for a minute: true
}

// Token refreshes an expired access token by itself, saving the rotated
// refresh token before it returns.
func ExampleManager_Token() {
	srv, opts, cleanup := newExample(authkittest.Config{AccessTokenTTL: 2 * time.Second})
	defer cleanup()
	m, _ := helper.New(opts)
	ctx := context.Background()

	first, _ := m.Token(ctx, 0)
	time.Sleep(2100 * time.Millisecond) // the access token expires
	second, err := m.Token(ctx, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("new token:", second.AccessToken != first.AccessToken)
	fmt.Println("refresh requests:", srv.Requests(authkittest.Refresh))
	// Output:
	// new token: true
	// refresh requests: 1
}

// Logout deletes the stored session; without a Prompter, Token then fails
// at once with a *NotSignedInError, from which the program words its own
// hint ("run mycli login").
func ExampleManager_Logout() {
	_, opts, cleanup := newExample(authkittest.Config{})
	defer cleanup()
	m, _ := helper.New(opts)
	ctx := context.Background()
	if _, err := m.Login(ctx); err != nil {
		fmt.Println(err)
		return
	}

	if err := m.Logout(ctx); err != nil {
		fmt.Println(err)
		return
	}
	m.Prompter = nil // a script: no one to show a sign-in to
	_, err := m.Token(ctx, 0)
	fmt.Println(errors.Is(err, helper.ErrNotSignedIn))
	fmt.Println(err)
	// Output:
	// true
	// not signed in to default
}

// A program shows the sign-in in its own voice with a PromptFunc. It must
// show the user code and where to enter it, and say who is asking.
func ExamplePromptFunc() {
	_, opts, cleanup := newExample(authkittest.Config{})
	defer cleanup()
	opts.Prompter = helper.PromptFunc(func(_ context.Context, s helper.SignIn) func(error) {
		u, _ := url.Parse(s.Device.VerificationURI)
		fmt.Printf("mycli: open %s and enter the %d-character code\n", u.Path, len(s.Device.UserCode))
		return func(err error) { fmt.Println("mycli: sign-in finished, error:", err) }
	})
	m, _ := helper.New(opts)
	_, _ = m.Login(context.Background())
	// Output:
	// mycli: open /device and enter the 9-character code
	// mycli: sign-in finished, error: <nil>
}

// orgMenu is a Prompter that can also choose an organization, as a
// program's own menu would; this one picks the one called "Globex".
type orgMenu struct{ helper.PromptFunc }

func (orgMenu) ChooseOrganization(_ context.Context, _ helper.Profile, offered []flow.Organization) (flow.Organization, error) {
	for _, o := range offered {
		fmt.Println("offered:", o.Name)
	}
	for _, o := range offered {
		if o.Name == "Globex" {
			return o, nil
		}
	}
	return flow.Organization{}, helper.ErrCannotChoose
}

// A user in several organizations: the server asks which one, and the
// sign-in completes with the one the Prompter's ChooseOrganization picks
// (or the one Profile.Organization names, when set; with neither, the
// error lists them).
func ExampleOrganizationChooser() {
	_, opts, cleanup := newExample(authkittest.Config{OrganizationSelection: true})
	defer cleanup()
	quiet := opts.Prompter.(helper.PromptFunc)

	opts.Prompter = quiet
	m, _ := helper.New(opts)
	_, err := m.Login(context.Background())
	var choice *helper.OrganizationChoiceError
	if errors.As(err, &choice) {
		fmt.Println("no choice made; offered:", choice.Choices())
	}

	opts.Prompter = orgMenu{quiet}
	m, _ = helper.New(opts)
	s, err := m.Login(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("signed in to", s.OrganizationName, s.OrganizationID)
	// Output:
	// no choice made; offered: [Acme Corp  org_01DEVACME00000000000000000 Globex  org_01DEVGLOBEX000000000000000]
	// offered: Acme Corp
	// offered: Globex
	// signed in to Globex org_01DEVGLOBEX000000000000000
}
