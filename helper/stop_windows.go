package helper

import "os"

// stopProcess ends the process pid: Windows has no SIGTERM for a process
// without a console, and a keeper ended midway loses nothing (the
// session is saved whole or not at all).
func stopProcess(pid int) error {
	p, err := os.FindProcess(pid)
	if err != nil {
		return err
	}
	return p.Kill()
}
