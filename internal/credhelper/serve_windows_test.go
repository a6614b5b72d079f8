package credhelper

import (
	"regexp"
	"testing"

	"golang.org/x/sys/windows"
)

// TestMakePrivateWindows: the socket's directory grants this user alone
// access, whatever its parent grants (a protected list, nothing
// inherited): that is what keeps other users from the socket on Windows,
// which has no peer credentials. Wine keeps no access lists, so the test
// is for real Windows.
func TestMakePrivateWindows(t *testing.T) {
	if windows.NewLazySystemDLL("ntdll.dll").NewProc("wine_get_version").Find() == nil {
		t.Skip("wine keeps no access lists on files")
	}
	dir := t.TempDir()
	if err := makePrivate(dir); err != nil {
		t.Fatal(err)
	}
	u, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		t.Fatal(err)
	}
	sd, err := windows.GetNamedSecurityInfo(dir, windows.SE_FILE_OBJECT, windows.DACL_SECURITY_INFORMATION)
	if err != nil {
		t.Fatal(err)
	}
	// D: the access list, P: protected (AI: auto-inherited may follow),
	// then one entry: allow, inherited by files and directories, full
	// access, to this user.
	want := regexp.MustCompile(`^D:P[A-Z]*\(A;OICI;FA;;;` + regexp.QuoteMeta(u.User.Sid.String()) + `\)$`)
	if got := sd.String(); !want.MatchString(got) {
		t.Errorf("%s's access list: %s, want only this user's (%s)", dir, got, u.User.Sid)
	}
}
