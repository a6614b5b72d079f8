package helper

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// isKeeper reports whether process pid is this user's keeper of profile:
// `... keep-warm --profile PROFILE ...` in its command line, run by this
// user. The user comes from /proc/PID/status, not from the directory's
// owner, which is root for a keeper (it makes itself undumpable).
func isKeeper(pid int, profile string) bool {
	dir := fmt.Sprintf("/proc/%d", pid)
	status, err := os.ReadFile(dir + "/status")
	if err != nil {
		return false
	}
	uid := -1
	for line := range strings.Lines(string(status)) {
		if rest, ok := strings.CutPrefix(line, "Uid:"); ok {
			if f := strings.Fields(rest); len(f) > 0 {
				uid, _ = strconv.Atoi(f[0])
			}
		}
	}
	if uid != os.Getuid() {
		return false
	}
	cmdline, err := os.ReadFile(dir + "/cmdline")
	return err == nil && keeperArgs(strings.Split(string(cmdline), "\x00"), profile)
}
