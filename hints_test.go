package main

import (
	"errors"
	"os/exec"
	"regexp"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
)

// hintCommand finds the commands a hint or fix: line names: each
// `quoted` one on a "hint:" line, and the whole of a "fix:" line up to a
// parenthesis or " or ".
var (
	hintCommand = regexp.MustCompile("`([^`]+)`")
	fixLine     = regexp.MustCompile(`fix: (.*?)(?: \(| or |$)`)
)

// runhintsCmd runs, as printed, every command the last command's hint:
// and fix: lines name (stderr and stdout), through sh in the script's
// environment, and fails unless each succeeds:
//
//	runhints [PLACEHOLDER=VALUE...]
//
// A placeholder a hint prints where authwrap cannot know the value (the
// client ID of the user's app) is replaced by the value given. It fails
// when there is no hint at all, so a script cannot pass by losing one.
// A hint that runs doctor succeeds when doctor reports its findings.
var (
	doctorRun   = regexp.MustCompile(`(^|\s)doctor(\s|$)`)
	problemLine = regexp.MustCompile(`(?m)^problem +\S+ +\S`)
)

func runhintsCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("runhints does not take !")
	}
	var cmds []string
	for _, stream := range []string{"stderr", "stdout"} {
		for _, line := range strings.Split(ts.ReadFile(stream), "\n") {
			switch {
			case strings.Contains(line, "hint: "):
				for _, m := range hintCommand.FindAllStringSubmatch(line, -1) {
					cmds = append(cmds, m[1])
				}
			case strings.Contains(line, "fix: "):
				if quoted := hintCommand.FindAllStringSubmatch(line, -1); len(quoted) > 0 {
					for _, m := range quoted {
						cmds = append(cmds, m[1])
					}
				} else if m := fixLine.FindStringSubmatch(line); m != nil {
					cmds = append(cmds, m[1])
				}
			}
		}
	}
	if len(cmds) == 0 {
		ts.Fatalf("no hint or fix: line names a command")
	}
	for _, c := range cmds {
		for _, a := range args {
			k, v, _ := strings.Cut(a, "=")
			c = strings.ReplaceAll(c, k, v)
		}
		ts.Logf("running the hint: %s", c)
		err := ts.Exec("sh", "-c", c)
		var ee *exec.ExitError
		if err != nil && doctorRun.MatchString(c) && errors.As(err, &ee) && ee.ExitCode() == 1 && problemLine.MatchString(ts.ReadFile("stdout")) {
			// doctor did its job: it ran, and reported what is wrong
			// (the server that is down, in the hint that names it).
			continue
		}
		if err != nil {
			ts.Fatalf("the hint %q failed: %v\n%s", c, err, ts.ReadFile("stderr"))
		}
	}
}
