package credhelper

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/authwrap/authwrap/internal/fsutil"
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

// SetupGit points git's global config at authwrap for t, as `gh auth
// setup-git` does: the inherited helper list is reset for that URL
// (an empty value), then authwrap is added. With remove, both go.
func SetupGit(t Target, helperCmd string, remove bool) error {
	key := "credential." + t.String() + ".helper"
	if remove {
		err := exec.Command("git", "config", "--global", "--unset-all", key).Run()
		var ee *exec.ExitError
		if errors.As(err, &ee) && ee.ExitCode() == 5 {
			return nil // it was not set
		}
		return gitErr(err)
	}
	if err := gitErr(exec.Command("git", "config", "--global", "--replace-all", key, "").Run()); err != nil {
		return err
	}
	return gitErr(exec.Command("git", "config", "--global", "--add", key, helperCmd).Run())
}

func gitErr(err error) error {
	if err != nil {
		return fmt.Errorf("git config: %w", err)
	}
	return nil
}

// DockerConfigPath is docker's config file: $DOCKER_CONFIG/config.json or
// ~/.docker/config.json.
func DockerConfigPath() string {
	if d := os.Getenv("DOCKER_CONFIG"); d != "" {
		return filepath.Join(d, "config.json")
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".docker", "config.json")
}

// SetupDocker sets (or removes) credHelpers[registry] = "authwrap" in
// docker's config file, keeping every other setting, and replaces the file
// atomically.
func SetupDocker(path, registry string, remove bool) error {
	doc := map[string]json.RawMessage{}
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if len(bytes.TrimSpace(data)) > 0 {
		if err := json.Unmarshal(data, &doc); err != nil {
			return fmt.Errorf("%s is not valid JSON, not touching it: %v", path, err)
		}
	}
	if doc == nil {
		doc = map[string]json.RawMessage{} // the file said null
	}
	helpers := map[string]string{}
	if raw, ok := doc["credHelpers"]; ok {
		if err := json.Unmarshal(raw, &helpers); err != nil {
			return fmt.Errorf("%s: credHelpers is not an object of strings: %v", path, err)
		}
		if helpers == nil {
			helpers = map[string]string{} // "credHelpers": null
		}
	}
	if remove {
		if helpers[registry] != "authwrap" {
			return nil
		}
		delete(helpers, registry)
	} else {
		helpers[registry] = "authwrap"
	}
	if len(helpers) == 0 {
		delete(doc, "credHelpers")
	} else {
		raw, _ := json.Marshal(helpers)
		doc["credHelpers"] = raw
	}
	out, err := json.MarshalIndent(doc, "", "\t")
	if err != nil {
		return err
	}
	return fsutil.WriteAtomic(path, append(out, '\n'))
}
