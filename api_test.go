package main

import (
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
