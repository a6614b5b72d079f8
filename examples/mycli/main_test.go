package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/authwrap/authwrap/flow/authkittest"
	"github.com/authwrap/authwrap/helper"
	"github.com/authwrap/authwrap/internal/testkeys"
)

// TestMycli runs the example's login, get and logout against the local
// AuthKit server and an API that checks the token's signature.
func TestMycli(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_STATE_HOME", home+"/state")
	t.Setenv("XDG_DATA_HOME", home+"/data")
	// The kernel keyring is the user's own: whatever this test adds there
	// goes when it ends.
	t.Cleanup(testkeys.Forget("mycli"))
	if _, err := helper.OpenStore(helper.StoreOptions{App: "mycli"}); err != nil {
		t.Skipf("no keyring backend without a passphrase here: %v", err)
	}
	srv := authkittest.NewServer(authkittest.Config{Interval: time.Second, AutoApprove: time.Millisecond})
	defer srv.Close()
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, err := jwt.ParseSigned(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "), []jose.SignatureAlgorithm{jose.RS256})
		var claims jwt.Claims
		if err == nil {
			err = tok.Claims(srv.PublicKey(), &claims)
		}
		if err != nil {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		fmt.Fprintf(w, "hello %s\n", claims.Subject)
	}))
	defer api.Close()

	c := &cli{ClientID: authkittest.DefaultClientID, APIURL: srv.URL, Keyring: os.Getenv("MYCLI_KEYRING_BACKEND")}
	c.Get.URL = api.URL
	ctx := context.Background()
	var out bytes.Buffer
	for _, cmd := range []string{"login", "get <url>"} {
		if err := run(ctx, c, cmd, &out); err != nil {
			t.Fatalf("%s: %v", cmd, err)
		}
	}
	if got := out.String(); got != "hello user_01DEVUSER0000000000000000\n" {
		t.Errorf("get printed %q", got)
	}
	if err := run(ctx, c, "logout", &out); err != nil {
		t.Fatal(err)
	}
	// With no one to ask (stderr is not a terminal: CI, an IDE), get says
	// how to sign in rather than starting a sign-in.
	stderr := os.Stderr
	os.Stderr, _ = os.Open(os.DevNull)
	err := run(ctx, c, "get <url>", &out)
	os.Stderr.Close()
	os.Stderr = stderr
	if !errors.Is(err, helper.ErrNotSignedIn) || hint(err) != "run `mycli login`" {
		t.Fatalf("get after logout: %v", err)
	}
}
