package protocol

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
)

// Limits on what ReadGit accepts.
const (
	// MaxGitLine is git's own limit on one attribute line.
	MaxGitLine = 65535
	// MaxGitLines bounds the attributes of one request.
	MaxGitLines = 1024
)

// ErrGitSyntax marks a git credential message that breaks the protocol.
var ErrGitSyntax = errors.New("malformed git credential message")

// GitCredential is one git credential helper message: a request from git,
// or a helper's answer. Single-valued attributes are fields; Multi holds
// the multi-valued ones ("capability[]", "wwwauth[]", "state[]") by name
// without the brackets. Attributes authwrap does not know are kept in
// Other so that nothing a newer git sends is an error.
type GitCredential struct {
	// Protocol is the URL scheme (https).
	Protocol string
	// Host is the host, with ":port" when not the default.
	Host string
	// Path is the repository path (only with credential.useHttpPath).
	Path string
	// Username is the user name asked for or answered.
	Username string
	// Password is the password (for authwrap: the access token).
	Password Secret
	// PasswordExpiryUTC is when Password expires, in Unix seconds; 0 means absent.
	PasswordExpiryUTC int64
	// URL is a whole URL, which git splits into the fields above.
	URL string
	// AuthType is the HTTP authentication scheme of Credential (git 2.46+).
	AuthType string
	// Credential is the pre-encoded credential for AuthType.
	Credential Secret
	// Ephemeral marks a credential that must not be stored.
	Ephemeral bool
	// Continue asks git to go on to a further round (multi-stage auth).
	Continue bool
	// Quit tells git to stop asking further helpers.
	Quit bool
	// Multi holds the multi-valued attributes by name without "[]".
	Multi map[string][]string
	// Other holds attributes authwrap does not know, by name. Their values
	// are Secrets: one may be a token (git's oauth_refresh_token is).
	Other map[string]Secret
}

// HasCapability reports whether the message lists capability[]=name.
func (c *GitCredential) HasCapability(name string) bool {
	for _, v := range c.Multi["capability"] {
		if v == name {
			return true
		}
	}
	return false
}

// ReadGit reads one message: key=value lines up to a blank line or EOF.
// It is strict where git is (a line without '=', a NUL, a line longer
// than MaxGitLine, an empty key: ErrGitSyntax) and lenient where git asks
// (unknown keys are kept in Other, a later value replaces an earlier one,
// "key[]=" with an empty value clears a multi-valued key).
func ReadGit(r io.Reader) (*GitCredential, error) {
	c := &GitCredential{Multi: map[string][]string{}, Other: map[string]Secret{}}
	br := bufio.NewReaderSize(r, 4096)
	for n := 0; ; n++ {
		line, err := readLine(br)
		if err == io.EOF && line == "" {
			return c, nil
		}
		if err != nil && err != io.EOF {
			return nil, err
		}
		if line == "" {
			return c, nil
		}
		if n >= MaxGitLines {
			return nil, fmt.Errorf("%w: more than %d attributes", ErrGitSyntax, MaxGitLines)
		}
		if perr := c.set(line); perr != nil {
			return nil, perr
		}
		if err == io.EOF {
			return c, nil
		}
	}
}

// readLine reads one LF-terminated line (a trailing CR is dropped, as git
// does), refusing over-long lines and NULs.
func readLine(br *bufio.Reader) (string, error) {
	var buf []byte
	for {
		chunk, err := br.ReadSlice('\n')
		buf = append(buf, chunk...)
		if len(buf) > MaxGitLine+2 {
			return "", fmt.Errorf("%w: a line is longer than %d bytes", ErrGitSyntax, MaxGitLine)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		line := strings.TrimSuffix(strings.TrimSuffix(string(buf), "\n"), "\r")
		if len(line) > MaxGitLine {
			return "", fmt.Errorf("%w: a line is longer than %d bytes", ErrGitSyntax, MaxGitLine)
		}
		if strings.IndexByte(line, 0) >= 0 {
			return "", fmt.Errorf("%w: a NUL byte", ErrGitSyntax)
		}
		if err != nil {
			return line, err
		}
		return line, nil
	}
}

func (c *GitCredential) set(line string) error {
	key, value, ok := strings.Cut(line, "=")
	if !ok || key == "" {
		return fmt.Errorf("%w: a line without key=value: %.40q", ErrGitSyntax, line)
	}
	if name, multi := strings.CutSuffix(key, "[]"); multi {
		if value == "" {
			delete(c.Multi, name)
		} else {
			c.Multi[name] = append(c.Multi[name], value)
		}
		return nil
	}
	switch key {
	case "protocol":
		c.Protocol = value
	case "host":
		c.Host = value
	case "path":
		c.Path = value
	case "username":
		c.Username = value
	case "password":
		c.Password = Secret(value)
	case "password_expiry_utc":
		n, err := strconv.ParseInt(value, 10, 64)
		if err != nil {
			return fmt.Errorf("%w: password_expiry_utc %.40q is not a number", ErrGitSyntax, value)
		}
		c.PasswordExpiryUTC = n
	case "url":
		c.URL = value
	case "authtype":
		c.AuthType = value
	case "credential":
		c.Credential = Secret(value)
	case "ephemeral":
		c.Ephemeral = isTrue(value)
	case "continue":
		c.Continue = isTrue(value)
	case "quit":
		c.Quit = isTrue(value)
	default:
		c.Other[key] = Secret(value)
	}
	return nil
}

// isTrue reads a git boolean.
func isTrue(v string) bool {
	switch strings.ToLower(v) {
	case "1", "true", "yes", "on":
		return true
	}
	return false
}

// WriteGit writes the message's non-empty attributes, one key=value line
// each. A key or value with a newline, CR or NUL would corrupt the stream,
// so it is an error and nothing is written.
func WriteGit(w io.Writer, c *GitCredential) error {
	var b bytes.Buffer
	var bad error
	put := func(k, v string) {
		if v == "" {
			return
		}
		if strings.ContainsAny(k+v, "\n\r\x00") || strings.Contains(k, "=") {
			bad = fmt.Errorf("%w: attribute %.40q holds a newline, CR or NUL", ErrGitSyntax, k)
		}
		b.WriteString(k + "=" + v + "\n")
	}
	for _, name := range sortedKeys(c.Multi) {
		for _, v := range c.Multi[name] {
			put(name+"[]", v)
		}
	}
	put("protocol", c.Protocol)
	put("host", c.Host)
	put("path", c.Path)
	put("authtype", c.AuthType)
	put("credential", c.Credential.Reveal())
	put("username", c.Username)
	put("password", c.Password.Reveal())
	if c.PasswordExpiryUTC != 0 {
		put("password_expiry_utc", strconv.FormatInt(c.PasswordExpiryUTC, 10))
	}
	put("url", c.URL)
	if c.Ephemeral {
		put("ephemeral", "1")
	}
	if c.Continue {
		put("continue", "1")
	}
	if c.Quit {
		put("quit", "1")
	}
	for _, k := range sortedKeys(c.Other) {
		put(k, c.Other[k].Reveal())
	}
	if bad != nil {
		return bad
	}
	_, err := w.Write(b.Bytes())
	return err
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// GitCapabilities is the answer to "capability": the protocol version and
// what authwrap can do.
func GitCapabilities(w io.Writer, caps ...string) error {
	var b strings.Builder
	b.WriteString("version 0\n")
	for _, c := range caps {
		b.WriteString("capability " + c + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}
