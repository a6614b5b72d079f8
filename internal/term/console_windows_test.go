package term_test

import (
	"context"
	"testing"

	"github.com/authwrap/authwrap/internal/term"
	"github.com/authwrap/authwrap/internal/term/termtest"
)

// Ask reads each answer from the console's input buffer, one line at a
// time: an answer typed ahead is left for the next question.
func TestAskOnConsole(t *testing.T) {
	c := termtest.Console(t)
	termtest.TypeKeys(t, c, "9\r2\r")
	for _, want := range []string{"9", "2"} {
		got, err := term.Ask(context.Background(), c.In, c.Out, "organization (1-2): ")
		if err != nil || got != want {
			t.Fatalf("Ask = %q, %v; want %q", got, err, want)
		}
	}
}
