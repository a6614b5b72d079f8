package helper

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/99designs/keyring"

	"github.com/authwrap/authwrap/flow"
)

// TestMain lets the test binary stand in for macOS's /usr/bin/security
// when it is started under that name (see installSecurityStandIn).
func TestMain(m *testing.M) {
	if strings.TrimSuffix(filepath.Base(os.Args[0]), ".exe") == "security" {
		os.Exit(fakeSecurity())
	}
	os.Exit(m.Run())
}

// fakeItem is a keychain item of the stand-in.
type fakeItem struct {
	Class, Service, Account, Label, Kind string
	Data                                 []byte
}

// fakeCall is one run of the stand-in, as it was started.
type fakeCall struct {
	Argv  []string
	Stdin string
}

// fakeSecurity implements the commands of security(1) the keychain
// backend uses, on a JSON file ($FAKE_SECURITY_DB), logging every run's
// argv and stdin ($FAKE_SECURITY_LOG). It follows Apple's security.c:
// `-i` reads lines of at most 4095 bytes and splits them with its quoting
// rules; passwords print as print_buffer does; errors exit with the low
// byte of the OSStatus.
func fakeSecurity() int {
	args := os.Args[1:]
	var stdin []byte
	interactive := len(args) > 0 && args[0] == "-i"
	if interactive {
		stdin, _ = io.ReadAll(os.Stdin)
	}
	if f, err := os.OpenFile(os.Getenv("FAKE_SECURITY_LOG"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600); err == nil {
		_ = json.NewEncoder(f).Encode(fakeCall{Argv: os.Args, Stdin: string(stdin)})
		f.Close()
	}
	dbPath := os.Getenv("FAKE_SECURITY_DB")
	var db []fakeItem
	if b, err := os.ReadFile(dbPath); err == nil {
		_ = json.Unmarshal(b, &db)
	}
	defer func() {
		b, _ := json.Marshal(db)
		_ = os.WriteFile(dbPath, b, 0o600)
	}()
	if !interactive {
		return fakeCommand(&db, args)
	}
	result := 0
	for _, line := range strings.SplitAfter(string(stdin), "\n") {
		if line == "" {
			continue
		}
		if len(line) > securityLineMax {
			// The real program would cut the line and run its rest.
			fmt.Fprintf(os.Stderr, "fake security: a line of %d bytes; security -i reads at most %d\n", len(line), securityLineMax)
			return 99
		}
		argv := splitSecurityLine(strings.TrimRight(line, "\n"))
		result = fakeCommand(&db, argv)
		if result != 0 && len(argv) > 0 {
			fmt.Fprintf(os.Stderr, "%s: returned %d\n", argv[0], result)
			if os.Getenv("FAKE_SECURITY_ECHO_FAILED") == "1" {
				// A security that repeats a failed command, data and all
				// (as -v does before running it).
				fmt.Fprintf(os.Stderr, "failed: %s\n", strings.Join(argv, " "))
			}
		}
	}
	return result
}

// splitSecurityLine splits as split_line in Apple's security.c.
func splitSecurityLine(line string) []string {
	var args []string
	var cur []byte
	in, quoted, escaped := false, byte(0), false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case escaped:
			cur, escaped = append(cur, c), false
		case c == '\\':
			escaped = true
			in = true
		case quoted != 0:
			if c == quoted {
				args, cur, in, quoted = append(args, string(cur)), nil, false, 0
			} else {
				cur = append(cur, c)
			}
		case !in && (c == '"' || c == '\''):
			quoted, in = c, true
		case c == ' ' || c == '\t':
			if in {
				args, cur, in = append(args, string(cur)), nil, false
			}
		default:
			cur, in = append(cur, c), true
		}
	}
	if in {
		args = append(args, string(cur))
	}
	return args
}

// fakeCommand runs one command on db and returns its exit status.
func fakeCommand(db *[]fakeItem, argv []string) int {
	if len(argv) == 0 {
		return 0
	}
	valued := map[string]bool{"-a": true, "-s": true, "-l": true, "-D": true, "-w": true, "-X": true, "-j": true, "-T": true, "-c": true, "-C": true, "-G": true}
	opt := map[string]string{}
	for i := 1; i < len(argv); i++ {
		a := argv[i]
		switch {
		case valued[a] && i+1 < len(argv):
			opt[a] = argv[i+1]
			i++
		case a == "-U" || a == "-g" || a == "-w" || a == "-A" || a == "-d":
			opt[a] = ""
		default:
			fmt.Fprintf(os.Stderr, "fake security: %s: unexpected argument %q\n", argv[0], a)
			return 2
		}
	}
	find := func() int {
		for i, it := range *db {
			if it.Class == "genp" && it.Service == opt["-s"] && it.Account == opt["-a"] {
				return i
			}
		}
		return -1
	}
	notFound := func() int {
		fmt.Fprintln(os.Stderr, "security: SecKeychainSearchCopyNext: The specified item could not be found in the keychain.")
		return securityNotFound
	}
	locked := os.Getenv("FAKE_SECURITY_LOCKED") == "1"
	switch argv[0] {
	case "add-generic-password":
		if locked {
			fmt.Fprintln(os.Stderr, "security: SecKeychainItemCreateFromContent (<default>): User interaction is not allowed.")
			return securityInteractionDenied
		}
		data := []byte(opt["-w"])
		if x, ok := opt["-X"]; ok {
			var err error
			if data, err = hex.DecodeString(x); err != nil {
				fmt.Fprintln(os.Stderr, "security: bad hex")
				return 1
			}
		}
		it := fakeItem{Class: "genp", Service: opt["-s"], Account: opt["-a"], Label: opt["-l"], Kind: opt["-D"], Data: data}
		if i := find(); i >= 0 {
			if _, u := opt["-U"]; !u {
				fmt.Fprintln(os.Stderr, "security: SecKeychainItemCreateFromContent (<default>): The specified item already exists in the keychain.")
				return 45
			}
			(*db)[i] = it
			return 0
		}
		*db = append(*db, it)
		return 0
	case "find-generic-password":
		i := find()
		if i < 0 {
			return notFound()
		}
		printAttributes(os.Stdout, (*db)[i])
		if _, g := opt["-g"]; g {
			if locked {
				fmt.Fprintln(os.Stderr, "security: SecKeychainItemCopyContent: User interaction is not allowed.")
				return securityInteractionDenied
			}
			fmt.Fprint(os.Stderr, "password: ")
			printBuffer(os.Stderr, (*db)[i].Data)
			fmt.Fprintln(os.Stderr)
		}
		return 0
	case "delete-generic-password":
		i := find()
		if i < 0 {
			return notFound()
		}
		printAttributes(os.Stdout, (*db)[i])
		*db = append((*db)[:i], (*db)[i+1:]...)
		fmt.Fprintln(os.Stderr, "password has been deleted.")
		return 0
	case "dump-keychain":
		for _, it := range *db {
			printAttributes(os.Stdout, it)
		}
		return 0
	}
	fmt.Fprintf(os.Stderr, "security: unknown command %q\n", argv[0])
	return 1
}

// printAttributes prints an item as dump-keychain and find do.
func printAttributes(w io.Writer, it fakeItem) {
	fmt.Fprintf(w, "keychain: \"/Users/test/Library/Keychains/login.keychain-db\"\nversion: 512\nclass: \"%s\"\nattributes:\n", it.Class)
	attr := func(name, v string) {
		fmt.Fprintf(w, "    %s<blob>=", name)
		if v == "" {
			fmt.Fprint(w, "<NULL>")
		} else {
			printBuffer(w, []byte(v))
		}
		fmt.Fprintln(w)
	}
	attr("0x00000007 ", it.Label)
	attr(`"acct"`, it.Account)
	attr(`"desc"`, it.Kind)
	attr(`"svce"`, it.Service)
}

// printBuffer is print_buffer of Apple's keychain_utilities.c, with its
// unbraced if (a space after the hex whether or not text follows).
func printBuffer(w io.Writer, data []byte) {
	printable := func(c byte) bool { return c >= ' ' && c <= '~' && c != '\\' }
	ascii, hexed := false, false
	for _, c := range data {
		if printable(c) {
			ascii = true
		} else {
			hexed = true
		}
	}
	if hexed {
		fmt.Fprintf(w, "0x%X", data)
		if ascii {
			fmt.Fprint(w, " ")
		}
		fmt.Fprint(w, " ")
	}
	if ascii {
		fmt.Fprint(w, `"`)
		for _, c := range data {
			if printable(c) {
				fmt.Fprintf(w, "%c", c)
			} else {
				fmt.Fprintf(w, `\%03o`, c)
			}
		}
		fmt.Fprint(w, `"`)
	}
}

// standIn is a running stand-in keychain.
type standIn struct {
	db, log string
}

// installSecurityStandIn puts the stand-in on PATH as `security` and
// points the keychain backend at it (found on PATH, as a test can).
func installSecurityStandIn(t *testing.T) *standIn {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	name := "security"
	if runtime.GOOS == "windows" {
		name += ".exe" // copied: a symlink needs privileges there
		b, err := os.ReadFile(self)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o700); err != nil {
			t.Fatal(err)
		}
	} else if err := os.Symlink(self, filepath.Join(dir, name)); err != nil {
		t.Fatal(err)
	}
	s := &standIn{db: filepath.Join(dir, "keychain.json"), log: filepath.Join(dir, "calls.jsonl")}
	t.Setenv("FAKE_SECURITY_DB", s.db)
	t.Setenv("FAKE_SECURITY_LOG", s.log)
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	path, err := exec.LookPath("security")
	if err != nil {
		t.Fatal(err)
	}
	old := securityProgram
	securityProgram = path
	t.Cleanup(func() { securityProgram = old })
	return s
}

func (s *standIn) items(t *testing.T) []fakeItem {
	t.Helper()
	var db []fakeItem
	if b, err := os.ReadFile(s.db); err == nil {
		if err := json.Unmarshal(b, &db); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

func (s *standIn) put(t *testing.T, items ...fakeItem) {
	t.Helper()
	b, err := json.Marshal(append(s.items(t), items...))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(s.db, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func (s *standIn) calls(t *testing.T) []fakeCall {
	t.Helper()
	b, err := os.ReadFile(s.log)
	if err != nil {
		t.Fatal(err)
	}
	var calls []fakeCall
	for _, line := range bytes.Split(bytes.TrimSpace(b), []byte("\n")) {
		var c fakeCall
		if err := json.Unmarshal(line, &c); err != nil {
			t.Fatal(err)
		}
		calls = append(calls, c)
	}
	return calls
}

func keychainStore(t *testing.T) (*KeyringStore, *standIn) {
	s := installSecurityStandIn(t)
	r := newSecurityRing(defaultApp)
	if err := r.probe(); err != nil {
		t.Fatal(err)
	}
	return &KeyringStore{ring: r, Backend: string(keyring.KeychainBackend)}, s
}

// The store's round trip (save, load, unreadable items, delete) on the
// keychain backend, and a session split into parts, deleted by logout.
func TestKeychainStandInRoundTrip(t *testing.T) {
	ks, si := keychainStore(t)
	storeRoundTrip(t, ks)

	big := testSession("big")
	big.AccessToken = flow.Secret(strings.Repeat("B", 7000))
	if err := ks.Save(big); err != nil {
		t.Fatal(err)
	}
	got, err := ks.Load("big")
	if err != nil || got.AccessToken != big.AccessToken {
		t.Fatalf("split session: %v", err)
	}
	parts := 0
	for _, it := range si.items(t) {
		if strings.HasPrefix(it.Account, partsPrefixOf("big")) {
			parts++
			if len(it.Data) > keychainItem {
				t.Errorf("part %s holds %d bytes, over %d", it.Account, len(it.Data), keychainItem)
			}
		}
	}
	if parts < 5 {
		t.Errorf("a 7000-byte token in %d parts", parts)
	}
	// A part left behind by a crash (no index names it) goes with logout,
	// found by listing the keychain.
	si.put(t, fakeItem{Class: "genp", Service: defaultApp, Account: partKey("big", genMark+"old", 1), Data: []byte("x")})
	if err := ks.Delete("big"); err != nil {
		t.Fatal(err)
	}
	for _, it := range si.items(t) {
		if strings.HasPrefix(it.Account, itemKey("big")) {
			t.Errorf("logout left %s", it.Account)
		}
	}
}

// No secret reaches an argument list: every write goes on stdin (and the
// real program would see it there as hex), whatever bytes it holds.
func TestKeychainSecretsNeverInArgv(t *testing.T) {
	ks, si := keychainStore(t)
	s := testSession("argv")
	s.AccessToken = flow.Secret("at_" + strings.Repeat("SECRETACCESS", 300))
	s.RefreshToken = "rt_SECRETREFRESH_x"
	if err := ks.Save(s); err != nil {
		t.Fatal(err)
	}
	if _, err := ks.Load("argv"); err != nil {
		t.Fatal(err)
	}
	// Binary data with what could end a command or start another.
	r := ks.ring
	hostile := []byte("\"; delete-keychain login\n\r\x00\\ 'x' \xff end")
	if err := r.Set(keyring.Item{Key: "k \"q\" \\", Data: hostile}); err != nil {
		t.Fatal(err)
	}
	it, err := r.Get("k \"q\" \\")
	if err != nil || !bytes.Equal(it.Data, hostile) {
		t.Fatalf("hostile bytes: %q, %v", it.Data, err)
	}
	if err := ks.Delete("argv"); err != nil {
		t.Fatal(err)
	}
	calls := si.calls(t)
	sawStdin := false
	for _, c := range calls {
		argv := strings.Join(c.Argv, " ")
		for _, secret := range []string{"SECRETACCESS", "SECRETREFRESH", hex.EncodeToString([]byte("SECRETACCESS")), "delete-keychain"} {
			if strings.Contains(argv, secret) {
				t.Errorf("a secret in argv: %q", argv)
			}
		}
		if strings.Contains(c.Stdin, hex.EncodeToString([]byte("SECRETREFRESH"))) {
			sawStdin = true
		}
		if c.Stdin != "" && strings.Count(c.Stdin, "\n") != 1 {
			t.Errorf("a write of more than one command line: %q", c.Stdin)
		}
	}
	if !sawStdin {
		t.Error("the refresh token never went to security's stdin")
	}
	if len(calls) < 4 {
		t.Errorf("only %d runs of security", len(calls))
	}
}

// Items are what github.com/99designs/keyring's cgo keychain backend
// writes and reads: generic passwords, service = app, account = key,
// label and kind as it sets them, the data unencoded; a session it split
// in 2500-byte parts is read whole.
func TestKeychainInteroperatesWithCgoBackend(t *testing.T) {
	ks, si := keychainStore(t)
	s := testSession("interop")
	if err := ks.Save(s); err != nil {
		t.Fatal(err)
	}
	want, _ := encodeSession(s)
	items := si.items(t)
	if len(items) != 1 {
		t.Fatalf("items: %+v", items)
	}
	it := items[0]
	if it.Class != "genp" || it.Service != defaultApp || it.Account != "session.interop" ||
		it.Label != "authwrap session (interop)" || it.Kind != "authwrap OAuth session" || !bytes.Equal(it.Data, want) {
		t.Errorf("stored item %+v\nwant the cgo backend's layout with data %s", it, want)
	}

	// Written by the cgo backend: the 2500-byte split of this package.
	c := testSession("cgo")
	c.AccessToken = flow.Secret(strings.Repeat("C", 6000))
	c.Email = "zoë@example.com" // UTF-8: printed back as hex
	data, _ := encodeSession(c)
	var parts []fakeItem
	n := 0
	for off := 0; off < len(data); off += maxItem {
		n++
		parts = append(parts, fakeItem{Class: "genp", Service: defaultApp, Account: partKey("cgo", genMark+"g1", n),
			Data: data[off:min(off+maxItem, len(data))]})
	}
	parts = append(parts, fakeItem{Class: "genp", Service: defaultApp, Account: itemKey("cgo"),
		Data: []byte(fmt.Sprintf("%s%sg1:%d", partsPrefix, genMark, n))})
	si.put(t, parts...)
	got, err := ks.Load("cgo")
	if err != nil || got.AccessToken != c.AccessToken || got.Email != c.Email {
		t.Fatalf("the cgo backend's split session: %v", err)
	}
	// Another service's item of the same account is not ours.
	si.put(t, fakeItem{Class: "genp", Service: "other-app", Account: itemKey("elsewhere"), Data: []byte("x")})
	if _, err := ks.Load("elsewhere"); !errors.Is(err, ErrNoSession) {
		t.Errorf("another service's item: %v", err)
	}
}

// A locked keychain (over SSH, no GUI) is ErrKeyringLocked with the fix;
// a missing program rules the backend out when it is probed.
func TestKeychainErrors(t *testing.T) {
	ks, _ := keychainStore(t)
	if err := ks.Save(testSession("l")); err != nil {
		t.Fatal(err)
	}
	t.Setenv("FAKE_SECURITY_LOCKED", "1")
	if _, err := ks.Load("l"); !errors.Is(err, ErrKeyringLocked) || !strings.Contains(err.Error(), "unlock-keychain") {
		t.Errorf("locked read: %v", err)
	}
	s := testSession("l")
	s.RefreshToken = "rt_NEVER_SHOWN"
	t.Setenv("FAKE_SECURITY_ECHO_FAILED", "1")
	err := ks.Save(s)
	if !errors.Is(err, ErrKeyringLocked) {
		t.Errorf("locked write: %v", err)
	}
	// A failing write whose stderr repeats the command (security -v)
	// does not put the data in the error.
	if data, _ := encodeSession(s); strings.Contains(err.Error(), hex.EncodeToString(data)[:32]) || strings.Contains(err.Error(), "NEVER_SHOWN") {
		t.Errorf("the error shows the session: %v", err)
	}
	if err := ks.ring.Set(keyring.Item{Key: "a\nb"}); err == nil {
		t.Error("a key with a line break was accepted")
	}
	if err := (&securityRing{program: filepath.Join(t.TempDir(), "security")}).probe(); err == nil {
		t.Error("probe of a missing program passed")
	}
}

// What security prints, in each of print_buffer's forms.
func TestKeychainParsesSecurityOutput(t *testing.T) {
	for _, c := range []struct {
		stderr string
		want   []byte
	}{
		{"password: \"abc\"\n", []byte("abc")},
		{"password: \"a\"b\"\n", []byte(`a"b`)},
		{"password: 0x5C61  \"\\134a\"\n", []byte(`\a`)},
		{"password: 0x00FF \n", []byte{0, 0xff}},
		{"password: \n", []byte{}},
		{"security: something\npassword: \"x\"\n", []byte("x")},
	} {
		got, err := parsePasswordLine([]byte(c.stderr))
		if err != nil || !bytes.Equal(got, c.want) {
			t.Errorf("parsePasswordLine(%q) = %q, %v; want %q", c.stderr, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "password: 0xZZ\n", "password: abc\n"} {
		if _, err := parsePasswordLine([]byte(bad)); err == nil {
			t.Errorf("parsePasswordLine(%q) passed", bad)
		}
	}
	dump := `keychain: "/k"
version: 512
class: "genp"
attributes:
    "acct"<blob>="session.a"
    "svce"<blob>="authwrap"
keychain: "/k"
class: "inet"
attributes:
    "acct"<blob>="session.inet"
    "svce"<blob>="authwrap"
keychain: "/k"
class: "genp"
attributes:
    "acct"<blob>=0x73657373696F6E2E625C  "session.b\134"
    "svce"<blob>="authwrap"
keychain: "/k"
class: "genp"
attributes:
    "acct"<blob>="session.c"
    "svce"<blob>="other"
`
	if got := parseDump([]byte(dump), "authwrap"); strings.Join(got, ",") != `session.a,session.b\` {
		t.Errorf("parseDump = %q", got)
	}
}

// Darwin ranks the keychain first, and names it as the library does.
func TestKeychainRanksFirstOnDarwin(t *testing.T) {
	if got := backendsFor("darwin"); got[0] != string(keyring.KeychainBackend) {
		t.Errorf("darwin backends %v", got)
	}
}
