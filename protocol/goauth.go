package protocol

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/textproto"
	"strconv"
	"strings"
)

// The go command's GOAUTH command protocol (`go help goauth`, Go 1.24+).

// GoAuthBlock is one credential set of a GOAUTH command's answer: the
// headers to send with requests to URLs under any of the prefixes.
type GoAuthBlock struct {
	// URLs are https:// prefixes.
	URLs []string
	// Headers are "Name: value" lines (an Authorization header carries
	// the token).
	Headers []Secret
}

// ErrGoAuth marks what the go command's GOAUTH format cannot carry, or an
// input that is not the go command's.
var ErrGoAuth = errors.New("not the GOAUTH format")

// WriteGoAuth writes blocks as a GOAUTH command answers: each block's URL
// lines, a blank line, its header lines, a blank line. A URL that is not
// https (the go command sends headers over https only) or a line break in
// any line is refused before anything is written.
func WriteGoAuth(w io.Writer, blocks []GoAuthBlock) error {
	var b strings.Builder
	for _, bl := range blocks {
		if len(bl.URLs) == 0 || len(bl.Headers) == 0 {
			return fmt.Errorf("%w: a block needs URLs and headers", ErrGoAuth)
		}
		for _, u := range bl.URLs {
			if !strings.HasPrefix(u, "https://") || strings.ContainsAny(u, "\r\n \t") {
				return fmt.Errorf("%w: URL %.80q", ErrGoAuth, u)
			}
			b.WriteString(u + "\n")
		}
		b.WriteString("\n")
		for _, hs := range bl.Headers {
			h := hs.Reveal()
			name, _, ok := strings.Cut(h, ": ")
			if !ok || name == "" || strings.ContainsAny(h, "\r\n\x00") {
				return fmt.Errorf("%w: a header line that is not \"Name: value\"", ErrGoAuth)
			}
			b.WriteString(h + "\n")
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// MaxGoAuthInput bounds the response the go command writes on a retry.
const MaxGoAuthInput = 64 << 10

// GoAuthResponse is the refused response the go command passes to a
// GOAUTH command on a retry.
type GoAuthResponse struct {
	// Status is the HTTP status code (4xx).
	Status int
	// Header holds the response's headers.
	Header textproto.MIMEHeader
}

// ReadGoAuthResponse reads a retry's input: a status line
// ("HTTP/1.1 401 Unauthorized"), header lines, a blank line.
func ReadGoAuthResponse(r io.Reader) (*GoAuthResponse, error) {
	tp := textproto.NewReader(bufio.NewReader(io.LimitReader(r, MaxGoAuthInput)))
	line, err := tp.ReadLine()
	if err != nil {
		return nil, fmt.Errorf("%w: no status line: %v", ErrGoAuth, err)
	}
	proto, rest, ok := strings.Cut(line, " ")
	if !ok || !strings.HasPrefix(proto, "HTTP/") {
		return nil, fmt.Errorf("%w: status line %.80q", ErrGoAuth, line)
	}
	code, _, _ := strings.Cut(rest, " ")
	status, err := strconv.Atoi(code)
	if err != nil || status < 100 || status > 599 {
		return nil, fmt.Errorf("%w: status line %.80q", ErrGoAuth, line)
	}
	h, err := tp.ReadMIMEHeader()
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: headers: %v", ErrGoAuth, err)
	}
	return &GoAuthResponse{Status: status, Header: h}, nil
}
