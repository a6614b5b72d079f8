//go:build unix

package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/mattn/go-isatty"
)

// transcriptVar names the directory where each authwrap run of a script
// leaves its argv, stdout and stderr, for the leak check at the end.
const transcriptVar = "AUTHWRAP_TEST_TRANSCRIPT"

// transcribed runs main with its stdout and stderr copied, at the file
// descriptor level, into the transcript directory, and its argv noted.
// A terminal is left alone (authwrap behaves differently on one), and so
// is `exec`, which replaces the process: a copy would die with it.
func transcribed(main func() int) int {
	dir := os.Getenv(transcriptVar)
	if dir == "" || command(os.Args) == "exec" {
		return main()
	}
	base := filepath.Join(dir, strconv.Itoa(os.Getpid())+"-"+strconv.FormatInt(time.Now().UnixNano(), 36))
	args, _ := json.Marshal(os.Args)
	if err := os.WriteFile(base+".args", args, 0o600); err != nil {
		return main()
	}
	var stops []func()
	for _, fd := range []int{1, 2} {
		if isatty.IsTerminal(uintptr(fd)) {
			continue
		}
		if stop, err := teeFD(fd, base+map[int]string{1: ".out", 2: ".err"}[fd]); err == nil {
			stops = append(stops, stop)
		}
	}
	code := main()
	for _, stop := range stops {
		stop()
	}
	return code
}

// teeFD points fd at a pipe whose reader copies to both the old fd and
// path. stop puts the old fd back and waits for the copy to finish.
func teeFD(fd int, path string) (stop func(), err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	saved, err := syscall.Dup(fd)
	if err != nil {
		f.Close()
		return nil, err
	}
	r, w, err := os.Pipe()
	if err != nil {
		f.Close()
		return nil, err
	}
	if err := syscall.Dup2(int(w.Fd()), fd); err != nil {
		f.Close()
		return nil, err
	}
	w.Close()
	orig := os.NewFile(uintptr(saved), "saved")
	done := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.MultiWriter(orig, f), r)
		close(done)
	}()
	return func() {
		_ = syscall.Dup2(saved, fd) // drops the pipe's last writer
		select {
		case <-done:
		case <-time.After(2 * time.Second): // a child still holds the pipe
		}
		f.Close()
	}, nil
}

// command returns the authwrap command argv runs (its first word that
// names one, after the helper names git-credential-authwrap and kin), or
// "" for none.
func command(argv []string) (cmd string) {
	words := helperArgs(argv)
	for i, w := range words {
		switch w {
		case "git-credential", "docker-credential", "terraform-credentials", "keyring":
			if i+1 < len(words) {
				return w + " " + words[i+1]
			}
			return w
		case "token", "kubectl-credential", "cargo-credential", "goauth", "login", "logout", "status", "switch-org", "setup", "exec",
			"version", "demo", "dev-server", "completion", "man":
			return w
		}
	}
	return ""
}

// tokenAnswers reports whether the protocol of the command in argv puts
// the access token on stdout.
func tokenAnswers(argv []string) bool {
	switch command(argv) {
	case "token", "kubectl-credential", "git-credential get", "docker-credential get", "terraform-credentials get",
		"cargo-credential", "goauth", "keyring get":
		return true
	}
	return false
}

// checkTranscripts looks for every secret the script's servers issued in
// every transcript: nowhere in argv or on stderr; on stdout only access
// tokens, and only from a command whose protocol answers with one. It
// also looks through every file under home for any of them in plaintext.
func checkTranscripts(dir, home string, secrets []string) error {
	runs, _ := filepath.Glob(filepath.Join(dir, "*.args"))
	var problems []string
	for _, argsFile := range runs {
		base := strings.TrimSuffix(argsFile, ".args")
		raw, _ := os.ReadFile(argsFile)
		var argv []string
		if json.Unmarshal(raw, &argv) != nil || len(argv) == 0 {
			continue
		}
		out, _ := os.ReadFile(base + ".out")
		errOut, _ := os.ReadFile(base + ".err")
		for _, s := range secrets {
			what := secretKind(s)
			switch {
			case strings.Contains(string(raw), s):
				problems = append(problems, fmt.Sprintf("%v: %s in argv", argv, what))
			case strings.Contains(string(errOut), s):
				problems = append(problems, fmt.Sprintf("%v: %s on stderr", argv, what))
			case strings.Contains(string(out), s) && (!strings.HasPrefix(s, "eyJ") || !tokenAnswers(argv)):
				problems = append(problems, fmt.Sprintf("%v: %s on stdout, where no protocol puts it", argv, what))
			}
		}
	}
	_ = filepath.WalkDir(home, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		data, _ := os.ReadFile(path)
		for _, s := range secrets {
			if strings.Contains(string(data), s) {
				problems = append(problems, fmt.Sprintf("%s holds %s in plaintext", path, secretKind(s)))
			}
		}
		return nil
	})
	if len(runs) == 0 && len(secrets) > 0 {
		problems = append(problems, "secrets were issued but no authwrap run was transcribed")
	}
	if len(problems) > 0 {
		return fmt.Errorf("secrets leaked:\n%s", strings.Join(problems, "\n"))
	}
	return nil
}
