package integrate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/authwrap/authwrap/internal/fsutil"
)

// DockerConfigPath is docker's config file: $DOCKER_CONFIG/config.json or
// ~/.docker/config.json.
func DockerConfigPath() string {
	if d := os.Getenv("DOCKER_CONFIG"); d != "" {
		return filepath.Join(d, "config.json")
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".docker", "config.json")
}

// Docker is docker's config.json (podman, skopeo, crane and regctl read it too).
type Docker struct {
	// Path is the config file.
	Path string
}

// Name implements Tool.
func (Docker) Name() string { return "docker" }

// Configure sets credHelpers[registry] = "authwrap", keeping every other
// setting, and replaces the file atomically.
func (d Docker) Configure(registry string) error { return SetupDocker(d.Path, registry, false) }

// Remove deletes credHelpers[registry] when it is authwrap.
func (d Docker) Remove(registry string) error { return SetupDocker(d.Path, registry, true) }

// Uses implements Tool.
func (d Docker) Uses(host string) (bool, error) {
	helpers, err := d.CredHelpers()
	return helpers[host] == "authwrap", err
}

// CredHelpers reads the file's credHelpers (none when it is missing).
func (d Docker) CredHelpers() (map[string]string, error) {
	doc, err := readDocker(d.Path)
	if err != nil {
		return nil, err
	}
	return credHelpers(d.Path, doc)
}

// CredsStore reads the file's credsStore: the helper docker uses for
// every registry credHelpers does not name ("" when none).
func (d Docker) CredsStore() (string, error) {
	doc, err := readDocker(d.Path)
	if err != nil {
		return "", err
	}
	var store string
	if raw, ok := doc["credsStore"]; ok {
		_ = json.Unmarshal(raw, &store)
	}
	return store, nil
}

func readDocker(path string) (map[string]json.RawMessage, error) {
	doc := map[string]json.RawMessage{}
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if len(bytes.TrimSpace(data)) > 0 {
		if err := json.Unmarshal(data, &doc); err != nil {
			return nil, fmt.Errorf("%s is not valid JSON, not touching it: %v", path, err)
		}
	}
	if doc == nil {
		doc = map[string]json.RawMessage{} // the file said null
	}
	return doc, nil
}

func credHelpers(path string, doc map[string]json.RawMessage) (map[string]string, error) {
	helpers := map[string]string{}
	if raw, ok := doc["credHelpers"]; ok {
		if err := json.Unmarshal(raw, &helpers); err != nil {
			return nil, fmt.Errorf("%s: credHelpers is not an object of strings: %v", path, err)
		}
		if helpers == nil {
			helpers = map[string]string{} // "credHelpers": null
		}
	}
	return helpers, nil
}

// SetupDocker sets (or removes) credHelpers[registry] = "authwrap" in
// docker's config file, keeping every other setting, and replaces the file
// atomically. A file that says null, or a credHelpers that says null, is
// taken as empty; one that is not JSON is an error and left alone.
func SetupDocker(path, registry string, remove bool) error {
	doc, err := readDocker(path)
	if err != nil {
		return err
	}
	helpers, err := credHelpers(path, doc)
	if err != nil {
		return err
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
