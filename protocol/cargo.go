package protocol

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/authwrap/authwrap/internal/safetext"
)

// Cargo's credential provider protocol (cargo's reference, "Credential
// Provider Protocol", stable since Rust 1.74): one JSON message per line;
// the provider says hello with the versions it speaks, then answers each
// request cargo sends until cargo closes its stdin.

// CargoVersion is the protocol version authwrap speaks.
const CargoVersion = 1

// MaxCargoLine bounds one message from cargo.
const MaxCargoLine = 1 << 20

// ErrCargoProtocol marks a message from cargo that is not the protocol.
var ErrCargoProtocol = errors.New("not a cargo credential request")

// CargoRegistry is the registry a request is about.
type CargoRegistry struct {
	// IndexURL is the registry's index URL, e.g. sparse+https://host/index/.
	IndexURL string `json:"index-url"`
	// Name is the registry's name in cargo's configuration, when it has one.
	Name string `json:"name,omitempty"`
	// Headers are the HTTP headers of the refused request, when there was one.
	Headers []string `json:"headers,omitempty"`
}

// CargoRequest is one request from cargo.
type CargoRequest struct {
	// V is the protocol version of the request.
	V int `json:"v"`
	// Registry is the registry the request is about.
	Registry CargoRegistry `json:"registry"`
	// Kind is get, login or logout.
	Kind string `json:"kind"`
	// Operation is what a get is for: read, publish, yank, unyank, owners.
	Operation string `json:"operation,omitempty"`
	// Token is the token `cargo login` was given, if any. authwrap never
	// stores it; it is kept only to be refused.
	Token Secret `json:"token,omitempty"`
	// Args are the provider's arguments from cargo's configuration (and
	// `cargo login -- ARGS`).
	Args []string `json:"args,omitempty"`
}

// WriteCargoHello writes the provider's hello: the versions it speaks.
func WriteCargoHello(w io.Writer) error {
	_, err := fmt.Fprintf(w, "{\"v\":[%d]}\n", CargoVersion)
	return err
}

// CargoReader reads cargo's requests, one per line.
type CargoReader struct{ sc *bufio.Scanner }

// NewCargoReader reads requests from r.
func NewCargoReader(r io.Reader) *CargoReader {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), MaxCargoLine)
	return &CargoReader{sc: sc}
}

// Next returns the next request, or io.EOF when cargo has closed the
// stream. A request in another version, or one that is not the protocol,
// is an error wrapping ErrCargoProtocol.
func (c *CargoReader) Next() (*CargoRequest, error) {
	for c.sc.Scan() {
		line := strings.TrimSpace(c.sc.Text())
		if line == "" {
			continue
		}
		var req CargoRequest
		if err := json.Unmarshal([]byte(line), &req); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrCargoProtocol, err)
		}
		if req.V != CargoVersion {
			return nil, fmt.Errorf("%w: version %d (this helper speaks %d)", ErrCargoProtocol, req.V, CargoVersion)
		}
		switch req.Kind {
		case "get", "login", "logout":
		default:
			return nil, fmt.Errorf("%w: kind %.40q", ErrCargoProtocol, req.Kind)
		}
		if req.Registry.IndexURL == "" {
			return nil, fmt.Errorf("%w: no registry index-url", ErrCargoProtocol)
		}
		return &req, nil
	}
	if err := c.sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCargoProtocol, err)
	}
	return nil, io.EOF
}

// CargoToken is a get's answer. Cargo sends Token as the Authorization
// header as it is.
type CargoToken struct {
	// Token is the credential.
	Token Secret
	// Expires is until when cargo may keep using it without asking again;
	// zero means cargo asks for every operation.
	Expires time.Time
}

// WriteCargoToken answers a get: the token, cached by cargo until Expires
// (cache "expires"), for reads and publishes alike.
func WriteCargoToken(w io.Writer, t CargoToken) error {
	ok := map[string]any{"kind": "get", "token": t.Token.Reveal(), "operation_independent": true, "cache": "never"}
	if !t.Expires.IsZero() {
		ok["cache"] = "expires"
		ok["expiration"] = t.Expires.Unix()
	}
	return writeJSON(w, map[string]any{"Ok": ok})
}

// WriteCargoDone answers a login or logout that succeeded.
func WriteCargoDone(w io.Writer, kind string) error {
	return writeJSON(w, map[string]any{"Ok": map[string]any{"kind": kind}})
}

// The error kinds of the protocol. For CargoURLNotSupported and
// CargoNotFound cargo tries its next provider.
const (
	CargoURLNotSupported      = "url-not-supported"
	CargoNotFound             = "not-found"
	CargoOperationUnsupported = "operation-not-supported"
	CargoOther                = "other"
)

// WriteCargoError answers with an error of kind; message only goes with
// CargoOther. cargo prints it on the person's terminal, so it is made
// safe to print there (it may hold a server's words).
func WriteCargoError(w io.Writer, kind, message string) error {
	e := map[string]any{"kind": kind}
	if kind == CargoOther {
		e["message"] = safetext.Text(message)
	}
	return writeJSON(w, map[string]any{"Err": e})
}

// writeJSON writes one JSON answer and a newline, in one Write. The tool
// may show what it reads, so the JSON has no raw control or format
// character (safetext.MarshalJSON).
func writeJSON(w io.Writer, v any) error {
	b, err := safetext.MarshalJSON(v)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// CargoIndexURL returns the https (or http) URL of a registry's index
// URL, without cargo's "sparse+" or "registry+" prefix.
func CargoIndexURL(index string) string {
	for _, p := range []string{"sparse+", "registry+"} {
		if rest, ok := strings.CutPrefix(index, p); ok {
			return rest
		}
	}
	return index
}
