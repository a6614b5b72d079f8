package helper

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
)

// readLineOrSignal reads one line from r (without its line break), or
// returns a *SignalError when one of signals arrives first. cancel then
// ends the abandoned read where the system can, and reports whether it
// did (so that the read is waited for); elsewhere the process is about to
// end anyway. The terminal's echo is the caller's business.
func readLineOrSignal(r io.Reader, signals []os.Signal, cancel func() bool) (string, error) {
	sigs := make(chan os.Signal, 1)
	CatchSignals(sigs, signals...)
	defer signal.Stop(sigs)
	type result struct {
		line string
		err  error
	}
	res := make(chan result, 1)
	go func() {
		line, err := bufio.NewReader(r).ReadString('\n')
		res <- result{line, err}
	}()
	select {
	case got := <-res:
		if got.err != nil && got.line == "" {
			return "", fmt.Errorf("reading the passphrase: %w", got.err)
		}
		return strings.TrimRight(got.line, "\r\n"), nil
	case sig := <-sigs:
		if cancel() {
			<-res
		}
		return "", &SignalError{Signal: sig}
	}
}
