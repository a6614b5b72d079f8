package credhelper

import (
	"os"
	"syscall"

	"golang.org/x/sys/windows"
)

// maxSocketPath is the longest socket path the system takes (sun_path,
// less its final NUL).
const maxSocketPath = len(syscall.RawSockaddrUnix{}.Path) - 1

// tempDirVar names the variable that sets the temporary directory.
const tempDirVar = "TMP"

// socketBases are where the endpoint's directory may go: the user's
// temporary directory (%LOCALAPPDATA%\Temp unless TMP or TEMP say
// otherwise).
func socketBases() []string { return []string{os.TempDir()} }

// listenHint follows a failure to listen on the socket: Windows has
// AF_UNIX sockets from Windows 10 version 1803 on (wine 8 has none).
const listenHint = "; exec --serve needs Unix sockets, which Windows has from Windows 10 version 1803 on (exec without --serve works anywhere)"

// makePrivate replaces dir's access list, inherited from wherever TMP
// points, by one that grants this user alone full control (and that the
// socket inside inherits): a connection to an AF_UNIX socket needs write
// access to its file, and there is no peer credential to check after.
func makePrivate(dir string) error {
	u, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		return err
	}
	sd, err := windows.SecurityDescriptorFromString("D:P(A;OICI;FA;;;" + u.User.Sid.String() + ")")
	if err != nil {
		return err
	}
	dacl, _, err := sd.DACL()
	if err != nil {
		return err
	}
	return windows.SetNamedSecurityInfo(dir, windows.SE_FILE_OBJECT,
		windows.DACL_SECURITY_INFORMATION|windows.PROTECTED_DACL_SECURITY_INFORMATION, nil, nil, dacl, nil)
}

// makeSocketPrivate has nothing to do: the socket inherits its
// directory's access list.
func makeSocketPrivate(string) error { return nil }
