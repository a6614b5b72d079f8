package fsutil

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/windows"
)

// Accounts for the descriptors built from SDDL: this user and another
// one of the same machine.
const (
	sddlMe    = "S-1-5-21-1111111111-2222222222-3333333333-1001"
	sddlOther = "S-1-5-21-1111111111-2222222222-3333333333-1002"
	sddlTI    = "S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464"
)

// judgeSDDL judges the descriptor sddl spells for sddlMe, as checkSecurity
// would for a file at path: nil when accepted. The SDDL "NULL" stands for
// a descriptor owned by sddlMe with a NULL DACL, which wine 8 cannot spell
// (it reads D:NO_ACCESS_CONTROL as an empty DACL, Windows as a NULL one).
func judgeSDDL(t *testing.T, sddl, path string, dir bool) error {
	t.Helper()
	me, err := windows.StringToSid(sddlMe)
	if err != nil {
		t.Fatal(err)
	}
	var sd *windows.SECURITY_DESCRIPTOR
	if sddl == "NULL" {
		sd, err = windows.NewSecurityDescriptor()
		if err == nil {
			err = sd.SetOwner(me, false)
		}
		if err == nil {
			err = sd.SetDACL(nil, true, false)
		}
	} else {
		sd, err = windows.SecurityDescriptorFromString(sddl)
	}
	if err != nil {
		t.Fatalf("SDDL %s: %v", sddl, err)
	}
	p, err := judgeSecurity(sd, me, writeAccess)
	if err != nil {
		t.Fatalf("SDDL %s: %v", sddl, err)
	}
	if p == nil {
		return nil
	}
	return p.err(path, dir, me)
}

// TestCheckSecurityDescriptors holds the rules checkSecurity applies, on
// descriptors as Windows shows them (SDDL, as icacls or
// Get-Acl's Sddl property print them).
func TestCheckSecurityDescriptors(t *testing.T) {
	const path = `C:\Users\me\AppData\Roaming\authwrap\config.toml`
	// A file in the profile, as Windows makes one: inherited full control
	// for SYSTEM, Administrators and the user.
	const profile = "(A;ID;FA;;;SY)(A;ID;FA;;;BA)(A;ID;FA;;;" + sddlMe + ")"
	tests := []struct {
		name string
		sddl string
		who  string // "" when accepted; else what the refusal names
	}{
		{"in the profile", "O:" + sddlMe + "G:" + sddlMe + "D:AI" + profile, ""},
		{"only me, SYSTEM and Administrators, explicit", "O:" + sddlMe + "D:P(A;;FA;;;" + sddlMe + ")(A;;FA;;;SY)(A;;FA;;;BA)", ""},
		{"owned by SYSTEM", "O:SYD:" + profile, ""},
		{"owned by Administrators", "O:BAD:" + profile, ""},
		{"owned by TrustedInstaller, as under Program Files", "O:" + sddlTI + "D:(A;;FA;;;" + sddlTI + ")(A;;0x1301bf;;;SY)(A;;0x1301bf;;;BA)(A;;0x1200a9;;;BU)", ""},
		{"others may read", "O:" + sddlMe + "D:" + profile + "(A;;FR;;;WD)(A;;0x1200a9;;;BU)(A;;FR;;;AU)(A;;FR;;;" + sddlOther + ")", ""},
		{"others may read and list, as C:\\Users", "O:SYD:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;;0x1200a9;;;BU)(A;OICIIO;GRGX;;;BU)(A;;0x1200a9;;;WD)(A;OICIIO;GRGX;;;WD)", ""},
		{"inherit-only write for Users", "O:" + sddlMe + "D:" + profile + "(A;OICIIO;FA;;;BU)", ""},
		{"inherit-only full control for CREATOR OWNER", "O:" + sddlMe + "D:" + profile + "(A;OICIIO;FA;;;CO)", ""},
		{"CREATOR OWNER and CREATOR GROUP in entries that apply", "O:" + sddlMe + "D:" + profile + "(A;;FA;;;CO)(A;;FA;;;CG)", ""},
		{"OWNER RIGHTS, the owner", "O:" + sddlMe + "D:" + profile + "(A;;FA;;;S-1-3-4)", ""},
		{"Everyone denied write", "O:" + sddlMe + "D:(D;;FW;;;WD)" + profile, ""},
		{"empty DACL", "O:" + sddlMe + "D:P", ""},

		{"Everyone may write", "O:" + sddlMe + "D:" + profile + "(A;;FW;;;WD)", "S-1-1-0"},
		{"Everyone full control", "O:" + sddlMe + "D:" + profile + "(A;;FA;;;WD)", "S-1-1-0"},
		{"Users may modify, inherited from D:\\", "O:" + sddlMe + "D:AI" + profile + "(A;ID;0x1301bf;;;BU)", "S-1-5-32-545"},
		{"Authenticated Users may write", "O:" + sddlMe + "D:" + profile + "(A;;FW;;;AU)", "S-1-5-11"},
		{"Authenticated Users may create folders, as in C:\\", "O:SYD:(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;;0x4;;;AU)(A;OICIIO;0x1301bf;;;AU)", "S-1-5-11"},
		{"another user may write", "O:" + sddlMe + "D:" + profile + "(A;;FA;;;" + sddlOther + ")", sddlOther},
		{"Users and Everyone may write", "O:" + sddlMe + "D:" + profile + "(A;;FW;;;BU)(A;;FW;;;WD)(A;;FR;;;WD)", "S-1-5-32-545"},
		{"generic write for Users", "O:" + sddlMe + "D:" + profile + "(A;;GW;;;BU)", "S-1-5-32-545"},
		{"Everyone may write after a deny for another user", "O:" + sddlMe + "D:(D;;FA;;;" + sddlOther + ")" + profile + "(A;;FA;;;WD)", "S-1-1-0"},
		{"owned by another user", "O:" + sddlOther + "D:" + profile, sddlOther},
		{"owned by another user who lets only me in", "O:" + sddlOther + "D:P(A;;FA;;;" + sddlMe + ")", sddlOther},
		{"owned by Users", "O:BUD:" + profile, "S-1-5-32-545"},
		{"NULL DACL", "NULL", "no access list"},
		{"no DACL", "O:" + sddlMe, "no access list"},
		{"no owner", "D:" + profile, "no owner"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := judgeSDDL(t, tt.sddl, path, false)
			switch {
			case tt.who == "" && err != nil:
				t.Fatalf("%s refused: %v", tt.sddl, err)
			case tt.who == "":
				return
			case err == nil:
				t.Fatalf("%s accepted; want it refused, naming %s", tt.sddl, tt.who)
			case !errors.Is(err, ErrUntrusted):
				t.Errorf("%v does not wrap ErrUntrusted", err)
			}
			if msg := err.Error(); !strings.Contains(msg, tt.who) || !strings.Contains(msg, path) {
				t.Errorf("%v: want it to name %s and %s", err, path, tt.who)
			}
		})
	}
}

// TestCheckSecurityRights holds which rights count as writing: each of
// writeAccess alone, granted to Users, is refused; each right to read,
// list or traverse alone is not.
func TestCheckSecurityRights(t *testing.T) {
	write := map[string]uint32{
		"write data / add file":        windows.FILE_WRITE_DATA,
		"append data / add subdir":     windows.FILE_APPEND_DATA,
		"write extended attributes":    windows.FILE_WRITE_EA,
		"delete child":                 fileDeleteChild,
		"write attributes":             windows.FILE_WRITE_ATTRIBUTES,
		"delete":                       windows.DELETE,
		"write DAC":                    windows.WRITE_DAC,
		"write owner":                  windows.WRITE_OWNER,
		"generic write":                windows.GENERIC_WRITE,
		"generic all":                  windows.GENERIC_ALL,
		"modify (icacls M)":            0x1301bf,
		"write (icacls W)":             0x100116,
		"read, write and execute (FA)": 0x1f01ff,
	}
	read := map[string]uint32{
		"read data / list":             windows.FILE_READ_DATA,
		"read extended attributes":     windows.FILE_READ_EA,
		"execute / traverse":           windows.FILE_EXECUTE,
		"read attributes":              windows.FILE_READ_ATTRIBUTES,
		"read control":                 windows.READ_CONTROL,
		"synchronize":                  windows.SYNCHRONIZE,
		"generic read":                 windows.GENERIC_READ,
		"generic execute":              windows.GENERIC_EXECUTE,
		"read and execute (icacls RX)": 0x1200a9,
	}
	for name, mask := range write {
		sddl := fmt.Sprintf("O:%sD:(A;;FA;;;%s)(A;;0x%x;;;BU)", sddlMe, sddlMe, mask)
		if err := judgeSDDL(t, sddl, `C:\f`, false); !errors.Is(err, ErrUntrusted) {
			t.Errorf("%s (%s) for Users: got %v, want it refused", name, sddl, err)
		}
	}
	for name, mask := range read {
		sddl := fmt.Sprintf("O:%sD:(A;;FA;;;%s)(A;;0x%x;;;BU)", sddlMe, sddlMe, mask)
		if err := judgeSDDL(t, sddl, `C:\f`, false); err != nil {
			t.Errorf("%s (%s) for Users: %v, want it accepted", name, sddl, err)
		}
	}
}

// TestCheckSecurityFix holds the command a refusal offers: it cuts off
// what the parent lends, removes what was granted on the object itself,
// and gives this user full control (inherited below a directory).
func TestCheckSecurityFix(t *testing.T) {
	const path = `C:\Users\me\.kube\config`
	tests := []struct {
		name string
		sddl string
		dir  bool
		fix  string
	}{
		{"explicit grant", "O:" + sddlMe + "D:(A;;FA;;;" + sddlMe + ")(A;;FW;;;WD)(A;;FA;;;BU)", false,
			`icacls "` + path + `" /remove:g *S-1-1-0 *S-1-5-32-545 /grant:r *` + sddlMe + `:(F)`},
		{"inherited grant", "O:" + sddlMe + "D:AI(A;ID;FA;;;" + sddlMe + ")(A;ID;0x1301bf;;;AU)", false,
			`icacls "` + path + `" /inheritance:r /grant:r *` + sddlMe + `:(F)`},
		{"both, on a directory", "O:" + sddlMe + "D:AI(A;OICI;FA;;;WD)(A;OICIID;0x1301bf;;;AU)", true,
			`icacls "` + path + `" /inheritance:r /remove:g *S-1-1-0 *S-1-5-11 /grant:r *` + sddlMe + `:(OI)(CI)(F)`},
		{"NULL DACL", "NULL", false,
			`icacls "` + path + `" /inheritance:r /grant:r *` + sddlMe + `:(F)`},
		{"another owner", "O:" + sddlOther + "D:(A;;FA;;;" + sddlMe + ")", false,
			`takeown /f "` + path + `"`},
	}
	for _, tt := range tests {
		err := judgeSDDL(t, tt.sddl, path, tt.dir)
		if err == nil || !strings.Contains(err.Error(), "`"+tt.fix+"`") {
			t.Errorf("%s: got %v, want it to offer `%s`", tt.name, err, tt.fix)
		}
	}
}

// setDACL replaces path's access list with the one sddl spells (and
// nothing inherited), as icacls /inheritance:r /grant:r would.
func setDACL(t *testing.T, path, sddl string) {
	t.Helper()
	sd, err := windows.SecurityDescriptorFromString(sddl)
	if err != nil {
		t.Fatal(err)
	}
	dacl, _, err := sd.DACL()
	if err != nil {
		t.Fatal(err)
	}
	err = windows.SetNamedSecurityInfo(path, windows.SE_FILE_OBJECT,
		windows.DACL_SECURITY_INFORMATION|windows.PROTECTED_DACL_SECURITY_INFORMATION, nil, nil, dacl, nil)
	if err != nil {
		t.Fatalf("setting the access list of %s: %v", path, err)
	}
}

// thisUser returns the SID of the user the test runs as.
func thisUser(t *testing.T) string {
	t.Helper()
	u, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		t.Fatal(err)
	}
	return u.User.Sid.String()
}

// checkBoth runs checkSecurity on path by name and through a handle
// opened on it, and fails unless both agree.
func checkBoth(t *testing.T, path string) error {
	t.Helper()
	byName := checkSecurity(path, nil)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	byHandle := checkSecurity(path, f)
	if (byName == nil) != (byHandle == nil) {
		t.Fatalf("%s: by name %v, by handle %v", path, byName, byHandle)
	}
	return byName
}

// TestCheckSecurityFiles holds the check on real files and directories:
// accepted as authwrap creates them, refused once Everyone may write them,
// accepted again once they are this user's alone.
func TestCheckSecurityFiles(t *testing.T) {
	me := thisUser(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "config.toml")
	if err := WriteAtomic(file, []byte("x")); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "keyring")
	if err := PrivateDir(sub); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{file, sub} {
		if err := checkBoth(t, path); err != nil {
			t.Fatalf("as created: %v", err)
		}
		setDACL(t, path, "D:P(A;OICI;FA;;;"+me+")(A;OICI;FA;;;WD)")
		err := checkBoth(t, path)
		if !errors.Is(err, ErrUntrusted) || !strings.Contains(err.Error(), "S-1-1-0") || !strings.Contains(err.Error(), path) {
			t.Errorf("Everyone may write %s: got %v, want it refused naming Everyone (S-1-1-0)", path, err)
		}
		setDACL(t, path, "D:P(A;OICI;FA;;;"+me+")")
		if err := checkBoth(t, path); err != nil {
			t.Errorf("made this user's alone: %v", err)
		}
	}
}

// TestCheckSecurityMissing holds that a missing file is fs.ErrNotExist,
// as for CheckTrusted, not a refusal.
func TestCheckSecurityMissing(t *testing.T) {
	err := checkSecurity(filepath.Join(t.TempDir(), "missing"), nil)
	if !errors.Is(err, fs.ErrNotExist) || errors.Is(err, ErrUntrusted) {
		t.Errorf("got %v, want fs.ErrNotExist", err)
	}
}

// TestCheckSecurityJudgesTheHandle holds that with an open file it is the
// file opened that is judged, not whatever path names now.
func TestCheckSecurityJudgesTheHandle(t *testing.T) {
	me := thisUser(t)
	dir := t.TempDir()
	mine, shared := filepath.Join(dir, "mine"), filepath.Join(dir, "shared")
	for _, p := range []string{mine, shared} {
		if err := os.WriteFile(p, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	setDACL(t, shared, "D:P(A;;FA;;;"+me+")(A;;FA;;;WD)")
	open := func(p string) *os.File {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	}
	if err := checkSecurity(mine, open(shared)); !errors.Is(err, ErrUntrusted) {
		t.Errorf("a handle to a file Everyone may write, named as one that is mine: got %v, want it refused", err)
	}
	if err := checkSecurity(shared, open(mine)); err != nil {
		t.Errorf("a handle to my file, named as one Everyone may write: %v", err)
	}
}

// TestTrustedOnWindows: the public checks use the access list: a config
// Everyone may write is refused by CheckTrusted and ReadTrusted, a file in
// a folder Everyone may write (whose files could be swapped) is refused,
// and a private directory Everyone may write is refused by PrivateDir;
// each passes again once it is this user's alone.
func TestTrustedOnWindows(t *testing.T) {
	me := thisUser(t)
	dir := filepath.Join(t.TempDir(), "authwrap")
	if err := PrivateDir(dir); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "config.toml")
	if err := WriteAtomic(file, []byte("x")); err != nil {
		t.Fatal(err)
	}
	open, private := "D:P(A;OICI;FA;;;"+me+")(A;OICI;FA;;;WD)", "D:P(A;OICI;FA;;;"+me+")"
	setDACL(t, file, open)
	if err := CheckTrusted(file); !errors.Is(err, ErrUntrusted) {
		t.Errorf("CheckTrusted of a file Everyone may write: %v", err)
	}
	if data, err := ReadTrusted(file); !errors.Is(err, ErrUntrusted) || data != nil {
		t.Errorf("ReadTrusted of a file Everyone may write: %q, %v", data, err)
	}
	setDACL(t, file, private)
	if data, err := ReadTrusted(file); err != nil || string(data) != "x" {
		t.Errorf("ReadTrusted of this user's file: %q, %v", data, err)
	}
	setDACL(t, dir, open)
	if _, err := ReadTrusted(file); !errors.Is(err, ErrUntrusted) {
		t.Errorf("ReadTrusted in a folder Everyone may write: %v", err)
	}
	if err := PrivateDir(dir); !errors.Is(err, ErrUntrusted) {
		t.Errorf("PrivateDir of a folder Everyone may write: %v", err)
	}
	setDACL(t, dir, private)
	if err := PrivateDir(dir); err != nil {
		t.Errorf("PrivateDir of this user's folder: %v", err)
	}
}

// TestReadPrivateOnWindows: a file that holds a secret (a machine's
// client_secret_file) is refused when its access list lets another
// account read it, not only write it, as its mode would be refused on
// Unix; the descriptor-level rule and a real file both.
func TestReadPrivateOnWindows(t *testing.T) {
	me, err := windows.StringToSid(sddlMe)
	if err != nil {
		t.Fatal(err)
	}
	for sddl, wantRead := range map[string]bool{
		"O:" + sddlMe + "D:P(A;;FA;;;" + sddlMe + ")":                             false,
		"O:" + sddlMe + "D:P(A;;FA;;;" + sddlMe + ")(A;;FR;;;WD)":                 true,
		"O:" + sddlMe + "D:P(A;;FA;;;" + sddlMe + ")(A;;GR;;;BU)":                 true,
		"O:" + sddlMe + "D:P(A;;FA;;;" + sddlMe + ")(A;;FA;;;SY)":                 false,
		"O:" + sddlMe + "D:P(A;;FA;;;" + sddlMe + ")(A;;0x1;;;" + sddlOther + ")": true,
	} {
		sd, err := windows.SecurityDescriptorFromString(sddl)
		if err != nil {
			t.Fatalf("SDDL %s: %v", sddl, err)
		}
		w, err := judgeSecurity(sd, me, writeAccess)
		if err != nil || w != nil {
			t.Errorf("%s: judged for writing: %+v, %v; want accepted (no one else may write)", sddl, w, err)
		}
		r, err := judgeSecurity(sd, me, writeAccess|readAccess)
		if err != nil || (r != nil) != wantRead {
			t.Errorf("%s: judged for reading: %+v, %v; want refused = %v", sddl, r, err, wantRead)
		}
		if r != nil {
			if msg := r.err(`C:\ci\secret.txt`, false, me).Error(); !strings.Contains(msg, "may be read") {
				t.Errorf("%s: %q does not say others may read it", sddl, msg)
			}
		}
	}

	file := filepath.Join(t.TempDir(), "secret.txt")
	if err := WriteAtomic(file, []byte("sk_test")); err != nil {
		t.Fatal(err)
	}
	setDACL(t, file, "D:P(A;;FA;;;"+thisUser(t)+")(A;;FR;;;WD)")
	if _, err := ReadPrivate(file); !errors.Is(err, ErrUntrusted) || !strings.Contains(err.Error(), "S-1-1-0") {
		t.Errorf("a secret Everyone may read: %v, want it refused naming Everyone (S-1-1-0)", err)
	}
	setDACL(t, file, "D:P(A;;FA;;;"+thisUser(t)+")")
	if sd, err := windows.GetNamedSecurityInfo(file, windows.SE_FILE_OBJECT, windows.DACL_SECURITY_INFORMATION); err == nil && strings.Contains(sd.String(), ";;;WD)") {
		// wine derives the access list from the file's Unix mode and
		// keeps Everyone's read from it whatever is set: the accepted
		// case is held on descriptors above.
		t.Logf("this system still lets Everyone read the file (%s): not judged", sd)
		return
	}
	if data, err := ReadPrivate(file); err != nil || string(data) != "sk_test" {
		t.Errorf("a secret this user's alone: %q, %v", data, err)
	}
}
