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

// The user and organization a hostile server signs in: the one-byte C1
// CSI (U+009B, "ESC [" on many terminals) and a right-to-left override
// (U+202E) in the fields status prints. encoding/json escapes neither.
const (
	hostileUserID = "user_\u009b2J\u009b1;1H"
	hostileEmail  = "dev@\u202emoc.elpmaxe"
	hostileOrgID  = "org_\u009b31m\u202e"
	hostileOrgNm  = "Acme\u009b8m\u202e Corp"
)

// rawControls are the runes no output of authwrap may carry as themselves.
const rawControls = "\u009b\u202e"

// TestHostileServerTextInJSON: what a hostile server says about the user
// and the organization reaches every JSON authwrap prints (status --json,
// token --json, doctor --json) only as \u escapes, and a program decoding
// status --json gets the server's values back as they were.
func TestHostileServerTextInJSON(t *testing.T) {
	t.Parallel()
	bin := buildAuthwrap(t)
	run := func(env []string, args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		var o, e bytes.Buffer
		cmd.Stdout, cmd.Stderr = &o, &e
		// doctor exits 1 for a problem it finds; its output is still checked.
		var exited *exec.ExitError
		if err := cmd.Run(); err != nil && !(errors.As(err, &exited) && args[0] == "doctor") {
			t.Fatalf("authwrap %v: %v\n%s", args, err, e.String())
		}
		if strings.ContainsAny(o.String(), rawControls) || strings.ContainsAny(e.String(), rawControls) {
			t.Errorf("authwrap %v printed a raw U+009B or U+202E:\nstdout %q\nstderr %q", args, o.String(), e.String())
		}
		return o.String()
	}
	status := func(env []string) map[string]any {
		t.Helper()
		var all []map[string]any
		out := run(env, "status", "--json")
		if err := json.Unmarshal([]byte(out), &all); err != nil || len(all) != 1 {
			t.Fatalf("status --json: %v\n%s", err, out)
		}
		return all[0]
	}

	// User Management's answer: user.id, user.email and organization_id
	// (and the JWT's sub and org_id).
	srv := authkittest.NewServer(authkittest.Config{Interval: time.Second, AutoApprove: time.Millisecond,
		User:          authkittest.User{ID: hostileUserID, Email: hostileEmail},
		Organizations: []string{hostileOrgID}})
	defer srv.Close()
	env := serverEnv(t.TempDir(), srv)
	run(env, "login")
	st := status(env)
	for k, want := range map[string]string{"user": hostileUserID, "email": hostileEmail, "organization_id": hostileOrgID} {
		if st[k] != want {
			t.Errorf("status --json %s = %q, want the server's %q", k, st[k], want)
		}
	}
	run(env, "status")
	run(env, "token", "--json")
	run(env, "doctor", "--json")

	// The organization's name from the organization_selection_required
	// answer.
	srv2 := authkittest.NewServer(authkittest.Config{Interval: time.Second, AutoApprove: time.Millisecond,
		OrganizationSelection: true, Organizations: []string{"org_01ACME", "org_01GLOBEX"},
		OrganizationNames: map[string]string{"org_01ACME": hostileOrgNm, "org_01GLOBEX": "Globex"}})
	defer srv2.Close()
	env2 := serverEnv(t.TempDir(), srv2)
	run(env2, "login", "--organization", "org_01ACME")
	if got := status(env2)["organization_name"]; got != hostileOrgNm {
		t.Errorf("status --json organization_name = %q, want the server's %q", got, hostileOrgNm)
	}
	run(env2, "status")
	run(env2, "doctor", "--json")
}
