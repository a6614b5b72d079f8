package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/authwrap/authwrap/flow/authkittest"
)

// TestHostileMachineText: the organization a hostile server names in a
// machine token (the org_id claim) and the text of its refusals reach
// login, status, doctor and the errors only escaped, and status --json
// gives the claim back as it was.
func TestHostileMachineText(t *testing.T) {
	t.Parallel()
	bin := buildAuthwrap(t)
	const id, secret = "client_01HOSTILEM2M0000000000000", "m2m_hostile+S3cr%t"
	srv := authkittest.NewServer(authkittest.Config{AccessTokenTTL: time.Minute,
		Machines: map[string]authkittest.Machine{id: {Secret: secret, OrganizationID: hostileOrgID}}})
	defer srv.Close()
	env := append(serverEnv(t.TempDir(), srv), "AUTHWRAP_API_URL=", "AUTHWRAP_ISSUER="+srv.URL,
		"AUTHWRAP_CLIENT_ID="+id, "AUTHWRAP_CLIENT_SECRET="+secret, "CI=true")
	run := func(wantCode int, args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		var o, e bytes.Buffer
		cmd.Stdout, cmd.Stderr = &o, &e
		code := 0
		var exited *exec.ExitError
		if err := cmd.Run(); errors.As(err, &exited) {
			code = exited.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if code != wantCode {
			t.Fatalf("authwrap %v: exit %d, want %d\n%s", args, code, wantCode, e.String())
		}
		if strings.ContainsAny(o.String()+e.String(), rawControls+"\x1b") || strings.Contains(o.String()+e.String(), secret) {
			t.Errorf("authwrap %v printed a raw control or the secret:\nstdout %q\nstderr %q", args, o.String(), e.String())
		}
		return o.String() + e.String()
	}
	if out := run(0, "login"); !strings.Contains(out, "as machine identity "+id) {
		t.Errorf("login said:\n%s", out)
	}
	var all []map[string]any
	if err := json.Unmarshal([]byte(run(0, "status", "--json")), &all); err != nil || len(all) != 1 {
		t.Fatalf("status --json: %v", err)
	}
	if all[0]["organization_id"] != hostileOrgID || all[0]["machine"] != true {
		t.Errorf("status --json = %v, want machine with the server's organization", all[0])
	}
	run(0, "status")
	run(0, "doctor")
	run(0, "doctor", "--json")
	// A refusal whose description is escape sequences.
	srv.Fail(authkittest.ClientCredentials, authkittest.ErrorAnswer(401, "invalid_client", "no "+authkittest.Escapes))
	if out := run(1, "login"); !strings.Contains(out, "refused the client ID and secret") {
		t.Errorf("a refused login said:\n%s", out)
	}
}
