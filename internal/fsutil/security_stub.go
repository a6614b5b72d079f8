package fsutil

import "os"

// checkSecurity is a placeholder until the ACL check lands (winacl branch).
func checkSecurity(string, *os.File) error { return nil }
