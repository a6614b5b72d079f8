package helper

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// SetHost adds host to (or, with remove, takes it from) the profile's
// hosts in the config file at path, creating the profile from p when the
// file has none. The file is edited in place, line by line, so comments
// and layout survive, and replaced atomically (write, then rename).
func SetHost(path string, p Profile, host string, remove bool) error {
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	cfg, err := LoadConfig(path)
	if err != nil {
		return err
	}
	var hosts []string
	existing := cfg.Profiles[p.Name]
	if existing != nil {
		hosts = slices.Clone(existing.Hosts)
	}
	i := slices.Index(hosts, host)
	switch {
	case remove && i < 0, !remove && i >= 0:
		return nil // nothing to change
	case remove:
		hosts = slices.Delete(hosts, i, i+1)
	default:
		hosts = append(hosts, host)
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(data) == 0 {
		lines = nil
	}
	hostsLine := "hosts = " + tomlStrings(hosts)
	start := sectionStart(lines, p.Name)
	if start < 0 {
		lines = append(lines, "", "[profiles."+strconv.Quote(p.Name)+"]")
		lines = append(lines, "client_id = "+strconv.Quote(p.ClientID))
		if p.Issuer != "" {
			lines = append(lines, "issuer = "+strconv.Quote(p.Issuer))
		} else if p.APIURL != "" {
			lines = append(lines, "api_url = "+strconv.Quote(p.APIURL))
		}
		lines = append(lines, hostsLine)
	} else {
		lines = replaceHosts(lines, start, hostsLine)
	}
	out := []byte(strings.TrimLeft(strings.Join(lines, "\n"), "\n") + "\n")
	if err := writeAtomic(path, out); err != nil {
		return err
	}
	if _, err := LoadConfig(path); err != nil {
		_ = writeAtomic(path, data) // put the old file back
		return fmt.Errorf("editing %s went wrong, left it as it was: %w", path, err)
	}
	return nil
}

// sectionStart finds the line of [profiles.NAME] (quoted or not), or -1.
func sectionStart(lines []string, name string) int {
	for i, l := range lines {
		t := strings.ReplaceAll(strings.TrimSpace(l), " ", "")
		if t == "[profiles."+name+"]" || t == "[profiles."+strconv.Quote(name)+"]" {
			return i
		}
	}
	return -1
}

// replaceHosts replaces the hosts line of the section starting at start
// (a multi-line array included), or adds one after the header.
func replaceHosts(lines []string, start int, hostsLine string) []string {
	for i := start + 1; i < len(lines); i++ {
		t := strings.TrimSpace(lines[i])
		if strings.HasPrefix(t, "[") {
			break
		}
		if k, _, ok := strings.Cut(t, "="); ok && strings.TrimSpace(k) == "hosts" {
			end := i
			for end < len(lines)-1 && strings.Count(strings.Join(lines[i:end+1], ""), "[") > strings.Count(strings.Join(lines[i:end+1], ""), "]") {
				end++
			}
			return slices.Concat(lines[:i], []string{hostsLine}, lines[end+1:])
		}
	}
	return slices.Concat(lines[:start+1], []string{hostsLine}, lines[start+1:])
}

func tomlStrings(s []string) string {
	q := make([]string, len(s))
	for i, v := range s {
		q[i] = strconv.Quote(v)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// writeAtomic writes data to a temporary file beside path (0600, in a
// 0700 directory when it creates one) and renames it over path.
func writeAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		if err := ensurePrivateDir(dir); err != nil {
			return err
		}
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// HelperCommand is how git runs authwrap: a shell snippet with the
// binary's path quoted for sh, and the profile when one was named.
func HelperCommand(exe, profile string) string {
	cmd := "!" + shellQuote(exe) + " git-credential"
	if profile != "" {
		cmd += " --profile " + shellQuote(profile)
	}
	return cmd
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

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
	helpers := map[string]string{}
	if raw, ok := doc["credHelpers"]; ok {
		if err := json.Unmarshal(raw, &helpers); err != nil {
			return fmt.Errorf("%s: credHelpers is not an object of strings: %v", path, err)
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
	return writeAtomic(path, append(out, '\n'))
}
