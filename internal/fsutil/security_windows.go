package fsutil

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"unsafe"

	"golang.org/x/sys/windows"
)

// checkSecurity judges the security descriptor of a file or directory on
// systems where access is decided by ACLs (Windows): the owner must be this
// user, SYSTEM, Administrators or TrustedInstaller, and no access entry
// that applies to the object itself may allow anyone else to change it
// (writeAccess). f, when not nil, is an open handle to path and is what is
// judged (GetSecurityInfo on the handle: the file opened is the file
// checked); else path is looked up by name (GetNamedSecurityInfo: pass a
// path whose links are resolved). A refusal wraps
// ErrUntrusted and names path, who may write it and an icacls or takeown
// command line that fixes it; a descriptor that cannot be read is a plain
// error naming path. Elsewhere it returns nil.
//
// The rules, as judgeSecurity applies them:
//   - Only allow entries count. Deny entries are ignored: they only take
//     access away, and ignoring them can refuse a safe file, never pass an
//     unsafe one.
//   - Inherit-only entries are ignored: they apply to the objects created
//     below a directory, which are judged on their own when used. So are
//     CREATOR OWNER and CREATOR GROUP (replaced by the creator when
//     inherited, they match no one in an entry that applies) and OWNER
//     RIGHTS (the owner, judged already).
//   - No access list at all, or a NULL one, lets everyone do anything:
//     refused (a drive formatted FAT or exFAT keeps no permissions). An
//     empty list lets no one but the owner in: fine.
//   - "Write" is every right that changes the object or its entries, as
//     OpenSSH for Windows counts them, and some more: write data (create
//     files in a directory), append data (create subdirectories), write
//     extended attributes, write attributes, delete child, delete, write
//     DAC, write owner, generic write, generic all. Reading, listing and
//     traversing are fine.
//   - Groups count as other users, even groups this user belongs to
//     (Users, Authenticated Users, a domain group): others belong to them
//     too.
//
// A directory where others may only create entries is refused too, as
// PrivateDir refuses a shared one on Unix. Windows makes two such by
// default: the root of the system drive (Authenticated Users may create
// folders) and C:\ProgramData (Users may create files and folders). A
// caller judging the directories above a file stops at the user's
// profile, which Windows makes the user's alone.
func checkSecurity(path string, f *os.File) error {
	return judgeFileSecurity(path, f, writeAccess)
}

// checkPrivateSecurity is checkSecurity for a file that holds a secret:
// no one but this user and the accounts that control the system anyway
// may read it either.
func checkPrivateSecurity(path string, f *os.File) error {
	return judgeFileSecurity(path, f, writeAccess|readAccess)
}

// judgeFileSecurity judges the owner and the access entries (those
// granting any of mask) of path, or of f when it is open.
func judgeFileSecurity(path string, f *os.File, mask uint32) error {
	const info = windows.OWNER_SECURITY_INFORMATION | windows.DACL_SECURITY_INFORMATION
	var sd *windows.SECURITY_DESCRIPTOR
	var err error
	if f != nil {
		sd, err = windows.GetSecurityInfo(windows.Handle(f.Fd()), windows.SE_FILE_OBJECT, info)
		runtime.KeepAlive(f)
	} else {
		sd, err = windows.GetNamedSecurityInfo(path, windows.SE_FILE_OBJECT, info)
	}
	if err != nil {
		return fmt.Errorf("reading the permissions of %s: %w", path, err)
	}
	user, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		return fmt.Errorf("finding this user's account: %w", err)
	}
	p, err := judgeSecurity(sd, user.User.Sid, mask)
	if err != nil {
		return fmt.Errorf("reading the permissions of %s: %w", path, err)
	}
	if p == nil {
		return nil
	}
	var dir bool
	if f != nil {
		fi, err := f.Stat()
		dir = err == nil && fi.IsDir()
	} else {
		fi, err := os.Stat(path)
		dir = err == nil && fi.IsDir()
	}
	return p.err(path, dir, user.User.Sid)
}

// writeAccess is the rights that let whoever holds them change a file, a
// directory's entries, or who may (checkSecurity lists them).
const writeAccess = windows.FILE_WRITE_DATA | windows.FILE_APPEND_DATA |
	windows.FILE_WRITE_EA | windows.FILE_WRITE_ATTRIBUTES | fileDeleteChild |
	windows.DELETE | windows.WRITE_DAC | windows.WRITE_OWNER |
	windows.GENERIC_WRITE | windows.GENERIC_ALL

// readAccess is the rights that let whoever holds them read a file's
// contents.
const readAccess = windows.FILE_READ_DATA | windows.GENERIC_READ | windows.GENERIC_ALL

// fileDeleteChild lets the holder delete or rename any entry of a
// directory, whoever owns it (x/sys/windows has no name for it).
const fileDeleteChild = 0x40

// The allow entries whose layout judgeSecurity reads (winnt.h; x/sys/windows
// names only the plain one). Any other entry in a DACL denies access or
// does not decide it.
const (
	aceAllowedCompound       = 4  // a header, the mask, 4 bytes, then the SID
	aceAllowedObject         = 5  // the mask, flags, up to two GUIDs, the SID
	aceAllowedCallback       = 9  // as a plain allow entry, a condition after the SID
	aceAllowedCallbackObject = 11 // as an object entry, a condition after the SID
)

// insecurity is what judgeSecurity found wrong with a descriptor.
type insecurity struct {
	owner     *windows.SID   // the owner, when it is not trusted (nil: it is)
	noOwner   bool           // the descriptor names no owner
	noDACL    bool           // no access list, or a NULL one: anyone may do anything
	writers   []*windows.SID // the other accounts allow entries let write (a nil SID: one judgeSecurity could not read)
	readers   bool           // the rights judged include reading: writers may also be readers
	inherited bool           // one of those entries comes from the parent directory
	explicit  bool           // one of them was set on the object itself
}

// judgeSecurity is checkSecurity's judgement of sd for the user whose SID
// is me, apart from the calls that fetch them: nil when only me and the
// trusted accounts have any of the rights in mask on the object
// (writeAccess: may change it).
func judgeSecurity(sd *windows.SECURITY_DESCRIPTOR, me *windows.SID, mask uint32) (*insecurity, error) {
	if sd == nil {
		return &insecurity{noOwner: true, noDACL: true}, nil
	}
	owner, _, err := sd.Owner()
	if err != nil {
		return nil, err
	}
	switch {
	case owner == nil:
		return &insecurity{noOwner: true}, nil
	case !trusted(owner, me):
		return &insecurity{owner: owner}, nil
	}
	dacl, _, err := sd.DACL()
	if errors.Is(err, windows.ERROR_OBJECT_NOT_FOUND) || err == nil && dacl == nil {
		return &insecurity{noDACL: true}, nil
	}
	if err != nil {
		return nil, err
	}
	p := insecurity{readers: mask&readAccess != 0}
	seen := map[string]bool{}
	for i := range uint32(dacl.AceCount) {
		var ace *windows.ACCESS_ALLOWED_ACE
		if err := windows.GetAce(dacl, i, &ace); err != nil {
			return nil, err
		}
		if ace.Header.AceFlags&windows.INHERIT_ONLY_ACE != 0 || uint32(ace.Mask)&mask == 0 {
			continue
		}
		var off uintptr // of the SID after SidStart
		switch ace.Header.AceType {
		case windows.ACCESS_ALLOWED_ACE_TYPE, aceAllowedCallback:
		case aceAllowedCompound:
			off = 4
		case aceAllowedObject, aceAllowedCallbackObject:
			flags := ace.SidStart
			off = 4
			if flags&windows.ACE_OBJECT_TYPE_PRESENT != 0 {
				off += 16
			}
			if flags&windows.ACE_INHERITED_OBJECT_TYPE_PRESENT != 0 {
				off += 16
			}
		default:
			continue // a deny entry, or one that decides no access
		}
		var sid *windows.SID
		// 8 bytes: the header and mask before SidStart; 8: the smallest SID.
		if 8+off+8 <= uintptr(ace.Header.AceSize) {
			sid = (*windows.SID)(unsafe.Add(unsafe.Pointer(&ace.SidStart), off))
			if !sid.IsValid() {
				sid = nil
			}
		}
		if sid != nil && (trusted(sid, me) || powerless(sid)) {
			continue
		}
		key := "?"
		if sid != nil {
			key = sid.String()
		}
		if !seen[key] {
			seen[key] = true
			p.writers = append(p.writers, sid)
		}
		if ace.Header.AceFlags&windows.INHERITED_ACE != 0 {
			p.inherited = true
		} else {
			p.explicit = true
		}
	}
	if p.writers == nil {
		return nil, nil
	}
	return &p, nil
}

// trusted reports whether sid is me or an account that controls the
// whole system anyway: SYSTEM, Administrators, TrustedInstaller (which
// owns Windows' own files).
func trusted(sid, me *windows.SID) bool {
	if sid.Equals(me) {
		return true
	}
	switch sid.String() {
	case "S-1-5-18", // NT AUTHORITY\SYSTEM
		"S-1-5-32-544", // BUILTIN\Administrators
		"S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464": // NT SERVICE\TrustedInstaller
		return true
	}
	return false
}

// powerless reports whether sid, in an entry that applies to the object
// itself, gives no one anything the owner lacks: CREATOR OWNER and
// CREATOR GROUP match no one there, and OWNER RIGHTS is the owner.
func powerless(sid *windows.SID) bool {
	switch sid.String() {
	case "S-1-3-0", "S-1-3-1", "S-1-3-4":
		return true
	}
	return false
}

// err says what is wrong with path, a directory when dir is set, and the
// command that makes it this user's (me) alone.
func (p *insecurity) err(path string, dir bool, me *windows.SID) error {
	const why = "authwrap reads and keeps its files only where no one else can change or replace them"
	grant := "*" + me.String() + ":(F)"
	if dir {
		grant = "*" + me.String() + ":(OI)(CI)(F)"
	}
	switch {
	case p.noOwner && p.noDACL:
		return fmt.Errorf("%w: %s keeps no owner or permissions (a drive formatted FAT or exFAT?), so any user may change it; %s: keep it on an NTFS drive", ErrUntrusted, path, why)
	case p.noOwner:
		return fmt.Errorf("%w: %s has no owner; %s: take it over with `takeown /f \"%s\"`", ErrUntrusted, path, why, path)
	case p.owner != nil:
		return fmt.Errorf("%w: %s belongs to %s, not to this user (%s); %s: use one of your own, or take this one over with `takeown /f \"%s\"`",
			ErrUntrusted, path, account(p.owner), account(me), why, path)
	case p.noDACL:
		return fmt.Errorf("%w: %s has no access list, so every user may change it; %s: make it yours alone with `icacls \"%s\" /inheritance:r /grant:r %s`",
			ErrUntrusted, path, why, path, grant)
	}
	var who, sids []string
	for _, s := range p.writers {
		if s == nil {
			who = append(who, "an account in an access entry authwrap cannot read")
			continue
		}
		who = append(who, account(s))
		sids = append(sids, "*"+s.String())
	}
	fix := "icacls \"" + path + "\""
	if p.inherited {
		fix += " /inheritance:r"
	}
	if p.explicit && sids != nil {
		fix += " /remove:g " + strings.Join(sids, " ")
	}
	fix += " /grant:r " + grant
	if p.readers {
		return fmt.Errorf("%w: %s holds a secret and may be read or written by %s: make it yours alone with `%s`", ErrUntrusted, path, strings.Join(who, ", "), fix)
	}
	return fmt.Errorf("%w: %s may be written by %s; %s: make it yours alone with `%s`", ErrUntrusted, path, strings.Join(who, ", "), why, fix)
}

// account names sid as Windows shows it, with the SID itself:
// "BUILTIN\Users (S-1-5-32-545)", or the SID alone when it has no name
// here.
func account(sid *windows.SID) string {
	name, domain, _, err := sid.LookupAccount("")
	switch {
	case err != nil || name == "":
		return sid.String()
	case domain != "":
		name = domain + `\` + name
	}
	return name + " (" + sid.String() + ")"
}
