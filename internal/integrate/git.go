package integrate

import (
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"strings"
)

// HelperCommand is how git runs authwrap: a shell snippet with the
// binary's path quoted for sh, and the profile when one was named.
func HelperCommand(exe, profile string) string {
	cmd := "!" + ShellQuote(exe) + " git-credential"
	if profile != "" {
		cmd += " --profile " + ShellQuote(profile)
	}
	return cmd
}

// ShellQuote quotes s as one word for sh.
func ShellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// ShellWord is s as one word for sh: as it is when it is a plain word (a
// host, a URL, a simple name), else quoted. Names in hints come from
// other programs' files and from the command line: pasted into a shell,
// the line must run the command it says, with that name as one argument,
// and nothing else.
func ShellWord(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./+:@%") == "" {
		return s
	}
	return ShellQuote(s)
}

// Git is git's global configuration (git config --global).
type Git struct{}

// Name implements Tool.
func (Git) Name() string { return "git" }

func helperKey(url string) string { return "credential." + url + ".helper" }

// Configure points git at authwrap for url (scheme://host), as `gh auth
// setup-git` does: the inherited helper list is reset for that URL (an
// empty value), then helperCmd is added.
func (Git) Configure(url, helperCmd string) error {
	key := helperKey(url)
	if err := gitErr(exec.Command("git", "config", "--global", "--replace-all", key, "").Run()); err != nil {
		return err
	}
	return gitErr(exec.Command("git", "config", "--global", "--add", key, helperCmd).Run())
}

// Remove takes authwrap's helper lines for url out of git's global config.
func (Git) Remove(url string) error {
	err := exec.Command("git", "config", "--global", "--unset-all", helperKey(url)).Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() == 5 {
		return nil // it was not set
	}
	return gitErr(err)
}

// Uses implements Tool: git's global config has an authwrap helper for
// https://host or http://host.
func (g Git) Uses(host string) (bool, error) {
	for _, scheme := range []string{"https", "http"} {
		helpers, err := g.Helpers(scheme + "://" + host)
		if err != nil {
			return false, err
		}
		for _, h := range helpers {
			if IsAuthwrapHelper(h) {
				return true, nil
			}
		}
	}
	return false, nil
}

// HelperPath is the binary a helper line written by HelperCommand runs
// (`!'/path/authwrap' git-credential ...`), if it is one.
func HelperPath(line string) (string, bool) {
	rest, ok := strings.CutPrefix(line, "!'")
	if !ok {
		return "", false
	}
	path, _, ok := strings.Cut(rest, "' git-credential")
	if !ok || strings.Contains(path, "'") {
		return "", false
	}
	return path, true
}

// HelpsEveryHost reports whether git's global config runs authwrap's
// helper for every host (a credential.helper line with no URL).
func (g Git) HelpsEveryHost() bool {
	out, err := exec.Command("git", "config", "--global", "--get-all", "credential.helper").Output()
	if err != nil {
		return false
	}
	for _, h := range strings.Split(string(out), "\n") {
		if IsAuthwrapHelper(h) {
			return true
		}
	}
	return false
}

// Helpers lists the helper lines git's global config has for url.
func (Git) Helpers(url string) ([]string, error) {
	out, err := exec.Command("git", "config", "--global", "--get-all", helperKey(url)).Output()
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() == 1 {
		return nil, nil // none
	}
	if err != nil {
		return nil, gitErr(err)
	}
	return strings.Split(strings.TrimRight(string(out), "\n"), "\n"), nil
}

// IsAuthwrapHelper reports whether a git credential.helper value runs
// authwrap's git helper.
func IsAuthwrapHelper(v string) bool {
	return strings.Contains(v, "authwrap") && (strings.Contains(v, " git-credential") || strings.HasSuffix(v, "git-credential-authwrap"))
}

func gitErr(err error) error {
	var ee *exec.ExitError
	if errors.As(err, &ee) && len(ee.Stderr) > 0 {
		return fmt.Errorf("git config: %w: %s", err, strings.TrimSpace(string(ee.Stderr)))
	}
	if err != nil {
		return fmt.Errorf("git config: %w", err)
	}
	return nil
}

// URLs lists the URLs git's global config sends to authwrap's helper.
func (Git) URLs() ([]string, error) {
	out, err := exec.Command("git", "config", "--global", "--get-regexp", `^credential\..*\.helper$`).Output()
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() == 1 {
		return nil, nil // none
	}
	if err != nil {
		return nil, gitErr(err)
	}
	var urls []string
	for _, line := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		key, value, _ := strings.Cut(line, " ")
		if !IsAuthwrapHelper(value) {
			continue
		}
		url := strings.TrimSuffix(strings.TrimPrefix(key, "credential."), ".helper")
		if url != "" && !slices.Contains(urls, url) {
			urls = append(urls, url)
		}
	}
	return urls, nil
}
