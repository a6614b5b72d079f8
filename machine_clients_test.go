package main

import (
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"github.com/authwrap/authwrap/flow/authkittest"
)

// TestCargoClientMachine: cargo fetches a crate from a registry that
// requires authentication as a pipeline would, with no person: CI=true,
// a machine identity's secret in the environment. authwrap's credential
// provider gets the token with the client-credentials grant, and after
// the token expired, with the grant again; never a device sign-in or a
// refresh.
func TestCargoClientMachine(t *testing.T) {
	cargo := lookClient(t, "cargo")
	t.Parallel()
	const id = "client_01CARGOM2M0000000000000"
	secret := "m2m_cargo+" + rand.Text() // made here: in no binary
	srv := authkittest.NewServer(authkittest.Config{AccessTokenTTL: 3 * time.Second,
		Machines: map[string]authkittest.Machine{id: {Secret: secret, OrganizationID: "org_01CARGO"}}})
	t.Cleanup(srv.Close)
	bin, _, run := clientEnv(t, srv, "AUTHWRAP_API_URL=", "AUTHWRAP_ISSUER="+srv.URL, "AUTHWRAP_CLIENT_ID="+id,
		"AUTHWRAP_CLIENT_SECRET="+secret, "CI=true")
	g, fetch := cargoRegistry(t, srv, bin, run, cargo)
	out, err := fetch()
	if err != nil {
		_, bad := g.counts()
		t.Fatalf("cargo fetch: %v\n%s\nrefused: %v", err, out, bad)
	}
	grants := srv.Requests(authkittest.ClientCredentials)
	if ok, _ := g.counts(); ok < 3 || grants < 1 {
		t.Fatalf("the registry let in %d requests after %d grants; want config.json, the index entry and the download", ok, grants)
	}
	time.Sleep(3500 * time.Millisecond) // the token expires
	if out, err = fetch(); err != nil {
		t.Fatalf("cargo fetch after the token expired: %v\n%s", err, out)
	}
	if srv.Requests(authkittest.ClientCredentials) <= grants {
		t.Error("no new grant after the token expired")
	}
	if n := srv.Requests(authkittest.DeviceAuthorization) + srv.Requests(authkittest.Refresh); n != 0 {
		t.Errorf("%d device authorizations or refreshes for a machine", n)
	}
	if strings.Contains(out, secret) {
		t.Error("cargo's output holds the client secret")
	}
}
