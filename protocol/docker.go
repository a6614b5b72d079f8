package protocol

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/docker/docker-credential-helpers/credentials"

	"github.com/authwrap/authwrap/internal/safetext"
)

// MaxDockerInput bounds what a docker credential helper reads from stdin.
const MaxDockerInput = 1 << 20

// ServeDocker answers one docker credential helper call with docker's own
// codec (github.com/docker/docker-credential-helpers/credentials), so the
// JSON shapes and error strings are exactly docker's. It reads at most
// MaxDockerInput bytes of in. On error, the caller writes WriteDockerError
// and exits 1, as docker requires.
//
// The answer (get's credentials, list's registries and usernames) is
// written through safetext.JSON: docker may show it on a terminal, so it
// holds no raw control or format character, only \u escapes of them.
func ServeDocker(h credentials.Helper, action string, in io.Reader, out io.Writer) error {
	var buf bytes.Buffer
	err := credentials.HandleCommand(h, action, io.LimitReader(in, MaxDockerInput), &buf)
	if buf.Len() > 0 {
		if _, werr := out.Write(safetext.JSON(buf.Bytes())); werr != nil && err == nil {
			err = werr
		}
	}
	return err
}

// WriteDockerError writes err as docker expects a helper's failure: the
// message alone on stdout (docker matches "credentials not found in native
// keychain" to mean anonymous access).
func WriteDockerError(w io.Writer, err error) {
	// docker prints the helper's answer on the person's terminal.
	_, _ = fmt.Fprintln(w, safetext.Line(strings.TrimSpace(err.Error())))
}
