package main

import (
	"os/exec"
	"regexp"
	"strconv"
	"testing"
)

// TestNoHeavyInit: authwrap's own packages do (almost) nothing when the
// program starts. Every run of a helper pays for package initialisation,
// whatever the command; a package-level regexp, table or template belongs
// in a sync.OnceValue. (Counted in allocations, not time, so that the test
// cannot flake; bench/ measures the time.)
func TestNoHeavyInit(t *testing.T) {
	bin := buildAuthwrap(t)
	cmd := exec.Command(bin, "version")
	// A small, fixed environment: the first package to read a variable
	// pays for the runtime's copy of the whole environment (helper's
	// keyringenv, which must read it at start), and that copy grows with
	// the environment of the machine, not with authwrap's work.
	cmd.Env = []string{"GODEBUG=inittrace=1", "HOME=" + t.TempDir(), "PATH=/usr/bin:/bin"}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	line := regexp.MustCompile(`init (github\.com/authwrap/authwrap/\S+) @\S+ ms, \S+ ms clock, (\d+) bytes, (\d+) allocs`)
	seen := 0
	for _, m := range line.FindAllStringSubmatch(string(out), -1) {
		seen++
		bytes, _ := strconv.Atoi(m[2])
		allocs, _ := strconv.Atoi(m[3])
		if allocs > 16 || bytes > 4096 {
			t.Errorf("%s allocates %d bytes in %d allocations when authwrap starts: make that work lazy (sync.OnceValue)", m[1], bytes, allocs)
		}
	}
	if seen == 0 {
		t.Fatalf("no init trace for authwrap's packages:\n%s", out)
	}
}
