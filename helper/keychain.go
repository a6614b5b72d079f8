package helper

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"

	"github.com/99designs/keyring"

	"github.com/authwrap/authwrap/internal/safetext"
)

// securityProgram is macOS's keychain tool. The keychain backend runs it
// by this absolute path, never by a PATH lookup.
var securityProgram = "/usr/bin/security"

// The exit statuses security gives for the keychain's errors (the low
// byte of the OSStatus).
const (
	securityNotFound          = 44 // errSecItemNotFound (-25300)
	securityInteractionDenied = 36 // errSecInteractionNotAllowed (-25308): locked, no GUI
	securityAuthFailed        = 51 // errSecAuthFailed (-25293): the person said no
)

// securityLineMax is the longest line `security -i` reads whole
// (MAX_LINE_LEN in Apple's security.c is 4096, with the terminating NUL).
// A longer line would be cut, and its rest run as a second command.
const securityLineMax = 4095

// keychainItem is the largest part the keychain backend writes: hex
// doubles it on the command line, and the line must stay under
// securityLineMax with the service, account, label and kind beside it.
const keychainItem = 1500

// securityRing is the macOS keychain through /usr/bin/security, with no
// cgo: a release built on Linux (CGO_ENABLED=0) has the same keychain as
// one built on a Mac. Items are generic passwords keyed by service (the
// app) and account (the key), with the label and kind (description) the
// cgo backend of github.com/99designs/keyring gives them, so either reads
// what the other wrote. The data is stored as is.
//
// Secrets never go in an argument list: a write runs `security -i` and
// writes one command on its stdin, with the data in hex (-X), which needs
// no quoting, so no byte of a secret can end the line or start another
// command. Reads (`find-generic-password -g`) name only the service and
// the account; the password comes back on the program's stderr.
type securityRing struct {
	program string
	service string
}

// newSecurityRing returns the keychain backend for service.
func newSecurityRing(service string) *securityRing {
	return &securityRing{program: securityProgram, service: service}
}

// maxItemSize bounds the parts a split session is written in.
func (r *securityRing) maxItemSize() int { return keychainItem }

// probe checks that the program is there to run; the keychain's own
// state (locked, a denied prompt) is said by the first read or write.
func (r *securityRing) probe() error {
	fi, err := os.Stat(r.program)
	if err != nil {
		return fmt.Errorf("%s: %w", r.program, err)
	}
	if fi.IsDir() || (runtime.GOOS != "windows" && fi.Mode().Perm()&0o111 == 0) {
		return fmt.Errorf("%s is not an executable program", r.program)
	}
	return nil
}

// securityError is a failed run of the security program.
type securityError struct {
	op     string
	status int
	text   string
}

func (e *securityError) Error() string {
	msg := fmt.Sprintf("security %s: exit status %d", e.op, e.status)
	if e.text != "" {
		msg += ": " + e.text
	}
	return msg
}

// run runs the program with args, and stdin when it is not nil. It
// returns stdout and stderr, or a *securityError (exit status and the
// last line of stderr, made safe to print).
func (r *securityRing) run(op string, stdin []byte, args ...string) (stdout, stderr []byte, err error) {
	cmd := exec.Command(r.program, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	err = cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return out.Bytes(), errb.Bytes(), &securityError{op: op, status: ee.ExitCode(), text: lastLine(errb.Bytes())}
	}
	if err != nil {
		return nil, nil, fmt.Errorf("running %s: %w", r.program, err)
	}
	return out.Bytes(), errb.Bytes(), nil
}

// lastLine is the last non-empty line of b, safe to print. Only stderr
// of commands that carry no secret is ever shown.
func lastLine(b []byte) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return safetext.Line(lines[len(lines)-1])
}

// keychainErr turns a failed run into the keyring errors callers test:
// keyring.ErrKeyNotFound, or ErrKeyringLocked.
func keychainErr(err error) error {
	var se *securityError
	if !errors.As(err, &se) {
		return err
	}
	switch {
	case se.status == securityNotFound:
		return keyring.ErrKeyNotFound
	case se.status == securityInteractionDenied, strings.Contains(se.text, "User interaction is not allowed"):
		return fmt.Errorf("%w (unlock it with `security unlock-keychain`, or sign in at the Mac): %w", ErrKeyringLocked, err)
	case se.status == securityAuthFailed:
		return fmt.Errorf("access to the keychain item was refused: %w", err)
	}
	return err
}

// Get implements keyring.Keyring.
func (r *securityRing) Get(key string) (keyring.Item, error) {
	if err := checkSecurityArg(key); err != nil {
		return keyring.Item{}, err
	}
	_, stderr, err := r.run("find-generic-password", nil, "find-generic-password", "-s", r.service, "-a", key, "-g")
	if err != nil {
		return keyring.Item{}, keychainErr(err)
	}
	data, err := parsePasswordLine(stderr)
	if err != nil {
		return keyring.Item{}, err
	}
	return keyring.Item{Key: key, Data: data}, nil
}

// parsePasswordLine reads the password find-generic-password -g writes on
// stderr: `password: "TEXT"` when every byte is printable ASCII other
// than a backslash, else `password: 0xHEX` (and the text beside it),
// and `password: ` alone for an empty one.
func parsePasswordLine(stderr []byte) ([]byte, error) {
	sc := bufio.NewScanner(bytes.NewReader(stderr))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "password: ")
		if !ok {
			if sc.Text() == "password:" {
				return []byte{}, nil
			}
			continue
		}
		switch {
		case rest == "":
			return []byte{}, nil
		case strings.HasPrefix(rest, "0x"):
			digits, _, _ := strings.Cut(rest[2:], " ")
			data, err := hex.DecodeString(digits)
			if err != nil {
				return nil, errors.New("security find-generic-password: unreadable hex password")
			}
			return data, nil
		case len(rest) >= 2 && rest[0] == '"' && rest[len(rest)-1] == '"':
			return []byte(rest[1 : len(rest)-1]), nil
		}
		return nil, errors.New("security find-generic-password: unreadable password line")
	}
	return nil, errors.New("security find-generic-password: no password in its answer")
}

// GetMetadata implements keyring.Keyring; the keychain asks for the
// data's permission to show an item, so this backend does not.
func (r *securityRing) GetMetadata(string) (keyring.Metadata, error) {
	return keyring.Metadata{}, keyring.ErrMetadataNeedsCredentials
}

// Set implements keyring.Keyring: one add-generic-password command (-U
// replaces an item that exists) on the stdin of `security -i`.
func (r *securityRing) Set(it keyring.Item) error {
	for _, s := range []string{it.Key, it.Label, it.Description} {
		if err := checkSecurityArg(s); err != nil {
			return err
		}
	}
	var line strings.Builder
	line.WriteString("add-generic-password -U -s " + securityQuote(r.service) + " -a " + securityQuote(it.Key))
	if it.Label != "" {
		line.WriteString(" -l " + securityQuote(it.Label))
	}
	if it.Description != "" {
		line.WriteString(" -D " + securityQuote(it.Description))
	}
	// -X "" would store nothing at all; an empty item is the empty hex.
	data := hex.EncodeToString(it.Data)
	line.WriteString(" -X " + securityQuote(data) + "\n")
	if line.Len() > securityLineMax {
		return fmt.Errorf("saving to the keychain: the item %q is too large for one security command (%d bytes of data)", it.Key, len(it.Data))
	}
	if _, _, err := r.run("add-generic-password", []byte(line.String()), "-i"); err != nil {
		// security -v echoes the command it ran: never the data in an error.
		var se *securityError
		if errors.As(err, &se) && len(data) > 0 {
			se.text = strings.ReplaceAll(se.text, data, "[data]")
		}
		return keychainErr(err)
	}
	return nil
}

// Remove implements keyring.Keyring.
func (r *securityRing) Remove(key string) error {
	if err := checkSecurityArg(key); err != nil {
		return err
	}
	_, _, err := r.run("delete-generic-password", nil, "delete-generic-password", "-s", r.service, "-a", key)
	return keychainErr(err)
}

// Keys implements keyring.Keyring: the accounts of the generic passwords
// of the service, from `security dump-keychain` (attributes only; no
// secret is read).
func (r *securityRing) Keys() ([]string, error) {
	out, _, err := r.run("dump-keychain", nil, "dump-keychain")
	if err != nil {
		return nil, keychainErr(err)
	}
	return parseDump(out, r.service), nil
}

// parseDump lists the accounts of the generic-password items of service
// in a dump-keychain listing: blocks that start with `keychain:`, each
// with a `class:` line and attribute lines such as `"svce"<blob>="name"`.
func parseDump(out []byte, service string) []string {
	var keys []string
	var class, svce, acct string
	var haveSvce, haveAcct bool
	flush := func() {
		if class == "genp" && haveSvce && haveAcct && svce == service {
			keys = append(keys, acct)
		}
		class, svce, acct, haveSvce, haveAcct = "", "", "", false, false
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "keychain: "):
			flush()
		case strings.HasPrefix(line, "class: "):
			v, _ := dumpValue(strings.TrimPrefix(line, "class: "))
			class = v
		case strings.HasPrefix(line, `"svce"<blob>=`):
			svce, haveSvce = dumpValue(strings.TrimPrefix(line, `"svce"<blob>=`))
		case strings.HasPrefix(line, `"acct"<blob>=`):
			acct, haveAcct = dumpValue(strings.TrimPrefix(line, `"acct"<blob>=`))
		}
	}
	flush()
	return keys
}

// dumpValue reads an attribute value as security prints it: "TEXT"
// (printable ASCII, a backslash as \134), 0xHEX with the text beside it,
// or <NULL>.
func dumpValue(v string) (string, bool) {
	if strings.HasPrefix(v, "0x") {
		digits, _, _ := strings.Cut(v[2:], " ")
		b, err := hex.DecodeString(digits)
		return string(b), err == nil
	}
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		s, err := unescapeOctal(v[1 : len(v)-1])
		return s, err == nil
	}
	return "", false
}

// unescapeOctal undoes print_buffer_ascii's \ooo escapes.
func unescapeOctal(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			b.WriteByte(s[i])
			continue
		}
		if i+4 > len(s) {
			return "", errors.New("a cut escape")
		}
		n, err := strconv.ParseUint(s[i+1:i+4], 8, 8)
		if err != nil {
			return "", err
		}
		b.WriteByte(byte(n))
		i += 3
	}
	return b.String(), nil
}

// checkSecurityArg refuses what a line of `security -i` cannot carry:
// a line break or a NUL would end the command early.
func checkSecurityArg(s string) error {
	if strings.ContainsAny(s, "\n\r\x00") {
		return fmt.Errorf("keychain: %q cannot be a keychain attribute (a line break or NUL)", s)
	}
	return nil
}

// securityQuote quotes s for split_line in Apple's security.c: inside
// double quotes a backslash takes the next character as it is.
func securityQuote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	return `"` + r.Replace(s) + `"`
}
