package flow_test

import (
	"context"
	"fmt"
	"time"

	"github.com/authwrap/authwrap/flow"
	"github.com/authwrap/authwrap/flow/authkittest"
)

// The device flow by hand: start, show the code, poll until approved.
// Most programs use package helper, which adds storage, locking and
// refresh around this.
func ExampleClient() {
	srv := authkittest.NewServer(authkittest.Config{Interval: time.Second, AutoApprove: time.Millisecond})
	defer srv.Close()

	provider, err := flow.WorkOS(srv.URL, authkittest.DefaultClientID) // flow.WorkOS("", id) for api.workos.com
	if err != nil {
		fmt.Println(err)
		return
	}
	c := &flow.Client{Provider: provider, ClientID: authkittest.DefaultClientID}
	ctx := context.Background()
	d, err := c.Start(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	// Show d.UserCode and d.VerificationURI (or open d.BrowserURL()).
	tok, err := c.Poll(ctx, d)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(tok.User.Email, tok.TokenType, tok.ValidFor(time.Minute))
	fmt.Println(tok.AccessToken) // secrets print masked
	// Output:
	// dev@example.com Bearer true
	// [redacted]
}
