package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/authwrap/authwrap/internal/apicheck"
)

// TestAPIDocumented fails when an exported identifier of a library
// package (flow, helper, protocol, authkittest) has no doc comment.
func TestAPIDocumented(t *testing.T) {
	for _, dir := range []string{"flow", "flow/authkittest", "helper", "protocol"} {
		names, undocumented, err := apicheck.Exported(dir)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d exported identifiers", dir, len(names))
		for _, n := range undocumented {
			t.Errorf("%s.%s has no doc comment", dir, n)
		}
	}
}

// TestAPISurface holds the library packages' exported API to the golden
// lists in testdata/api: adding, removing or renaming an exported name
// fails until the list says so, so growth of the API is a decision.
// AUTHWRAP_UPDATE_API=1 rewrites the lists.
func TestAPISurface(t *testing.T) {
	for _, dir := range []string{"flow", "flow/authkittest", "helper", "protocol"} {
		names, _, err := apicheck.Exported(dir)
		if err != nil {
			t.Fatal(err)
		}
		golden := filepath.Join("testdata", "api", strings.ReplaceAll(dir, "/", "_")+".txt")
		got := strings.Join(names, "\n") + "\n"
		if os.Getenv("AUTHWRAP_UPDATE_API") == "1" {
			if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatal(err)
		}
		if got != string(want) {
			wantSet := map[string]bool{}
			for _, n := range strings.Fields(string(want)) {
				wantSet[n] = true
			}
			for _, n := range names {
				if !wantSet[n] {
					t.Errorf("%s exports %s, which %s does not list", dir, n, golden)
				}
				delete(wantSet, n)
			}
			for n := range wantSet {
				t.Errorf("%s no longer exports %s, which %s lists", dir, n, golden)
			}
		}
	}
}
