package term

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/mattn/go-isatty"
	"golang.org/x/term"
)

// Console is the person's terminal apart from the standard streams, which
// may carry a protocol: /dev/tty on Unix, the console's input and screen
// buffers (CONIN$, CONOUT$) on Windows. In and Out are the same file
// where the system has one device for both. Read In only with Ask.
type Console struct {
	// In reads what the person types.
	In *os.File
	// Out shows prompts.
	Out *os.File
}

// ErrNoConsole means the process has no terminal to ask on.
var ErrNoConsole = errors.New("no terminal to ask on")

// OpenConsole opens the terminal the process runs on, or returns
// ErrNoConsole when it has none (a pipe, a service, CI).
func OpenConsole() (*Console, error) {
	c, err := openConsole()
	if err != nil {
		return nil, ErrNoConsole
	}
	if !isConsole(c.Out) {
		c.Close()
		return nil, ErrNoConsole
	}
	return c, nil
}

// Close closes the console's files.
func (c *Console) Close() error {
	err := c.In.Close()
	if c.Out != c.In {
		err = errors.Join(err, c.Out.Close())
	}
	return err
}

// isConsole reports whether f is a terminal. It asks through f's raw
// connection: f.Fd() would take f out of non-blocking mode on Unix (out
// of the completion port on Windows), where a read could no longer be
// interrupted.
func isConsole(f *os.File) bool {
	rc, err := f.SyscallConn()
	if err != nil {
		return false
	}
	ok := false
	return rc.Control(func(fd uintptr) { ok = term.IsTerminal(int(fd)) }) == nil && ok
}

// Ask shows question on out, then reads the answer, one line without its
// end, from tty (a Console's In). It is how every question authwrap asks
// on a terminal is read. When ctx ends (Ctrl-C, SIGTERM) it returns at
// once with ctx's cause: the read is ended then, not left waiting for
// Enter. The byte Ctrl-C sends, if the terminal passes it on instead of
// signalling (its ISIG off), ends it too, with a *SignalError. An end of
// input (Ctrl-D) before any text is io.EOF.
func Ask(ctx context.Context, tty *os.File, out io.Writer, question string) (string, error) {
	done := ctx.Done() // catches signals from here on (the program's context)
	fmt.Fprint(out, question)
	if ctx.Err() != nil {
		return "", context.Cause(ctx)
	}
	interrupt, err := interruptible(tty)
	if err != nil {
		return "", err
	}
	type result struct {
		line string
		err  error
	}
	res := make(chan result, 1)
	go func() {
		line, err := readLine(tty)
		res <- result{line, err}
	}()
	select {
	case r := <-res:
		if r.err != nil && ctx.Err() == nil && signalGrace > 0 {
			// A console can end the read before its Ctrl-C event
			// arrives: an interruption, if one follows.
			select {
			case <-done:
			case <-time.After(signalGrace):
			}
		}
		if r.err != nil && ctx.Err() != nil {
			return "", context.Cause(ctx)
		}
		return r.line, r.err
	case <-done:
		if interrupt() {
			<-res // ended: the next question reads alone
		}
		return "", context.Cause(ctx)
	}
}

// readLine reads one line from tty a byte at a time, so that nothing
// after it (typed ahead, for the next question) is taken.
func readLine(tty io.Reader) (string, error) {
	var line []byte
	b := make([]byte, 1)
	for {
		n, err := tty.Read(b)
		if n == 1 {
			switch b[0] {
			case '\n':
				return strings.TrimSuffix(string(line), "\r"), nil
			case 0x03: // Ctrl-C, with the terminal's signals off
				return "", &SignalError{Signal: os.Interrupt}
			}
			line = append(line, b[0])
			continue
		}
		if err != nil {
			if len(line) > 0 && errors.Is(err, io.EOF) {
				return string(line), nil
			}
			return "", err
		}
	}
}

// IsTerminal reports whether w is a terminal.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	// Through SyscallConn, not Fd: Fd puts the file in blocking mode,
	// and a read of it could then no longer be interrupted (Ask).
	rc, err := f.SyscallConn()
	if err != nil {
		return false
	}
	yes := false
	_ = rc.Control(func(fd uintptr) { yes = isatty.IsTerminal(fd) || isatty.IsCygwinTerminal(fd) })
	return yes
}
