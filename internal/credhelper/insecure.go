package credhelper

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/authwrap/authwrap/internal/tomledit"
	"github.com/authwrap/authwrap/internal/xdg"
)

// DockerTarget makes a Target from a registry as docker, podman and
// skopeo name it to a credential helper: a URL, or a bare host[:port],
// which they reach over https unless told the registry is insecure. A
// registry the local configuration marks insecure (docker's daemon.json
// "insecure-registries", containers' registries.conf `insecure = true`)
// may be reached over plain http, so it gets nothing (ErrInsecureTarget)
// unless it is loopback.
func DockerTarget(raw string) (Target, error) {
	t, err := ParseHostOrURL(raw)
	if err != nil {
		return Target{}, err
	}
	if t.Scheme == "https" && !strings.Contains(strings.TrimSpace(raw), "://") {
		if src := insecureRegistrySource(t.Host, InsecureRegistryFiles()); src != "" {
			return Target{}, fmt.Errorf("%w: %s is marked insecure in %s, so the token could go over plain http", ErrInsecureTarget, t.Host, src)
		}
	}
	return t, nil
}

// InsecureRegistryFiles lists the files that may mark a registry insecure:
// docker's daemon.json (rootful and rootless) and every registries.conf
// podman, skopeo or buildah may read (containers-registries.conf(5)): the
// system's, the user's, the one $CONTAINERS_REGISTRIES_CONF names, and
// the drop-ins of the system and of the user. All are read whichever of
// them the tool would pick: one marking a registry insecure is enough.
func InsecureRegistryFiles() []string {
	user := filepath.Join(xdg.ConfigHome("authwrap"), "containers")
	files := []string{"/etc/docker/daemon.json", filepath.Join(xdg.ConfigHome("authwrap"), "docker", "daemon.json"),
		"/etc/containers/registries.conf", filepath.Join(user, "registries.conf")}
	if f := os.Getenv("CONTAINERS_REGISTRIES_CONF"); f != "" {
		files = append(files, f)
	}
	for _, dir := range []string{"/etc/containers/registries.conf.d", filepath.Join(user, "registries.conf.d")} {
		dropins, _ := filepath.Glob(filepath.Join(dir, "*.conf"))
		files = append(files, dropins...)
	}
	return files
}

// insecureRegistrySource names the file among files that marks host
// (canonical host[:port]) insecure, or "" when none does. Loopback hosts
// are never reported: their plain http stays on the machine.
func insecureRegistrySource(host string, files []string) string {
	if isLoopbackHost(host) {
		return ""
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		var entries []string
		if strings.HasSuffix(f, ".json") {
			var d struct {
				Insecure []string `json:"insecure-registries"`
			}
			if json.Unmarshal(data, &d) != nil {
				continue
			}
			entries = d.Insecure
		} else {
			var c struct {
				Registry []struct {
					Location string
					Prefix   string
					Insecure bool
					// A mirror is reached, and asked for credentials,
					// by its own host.
					Mirror []struct {
						Location string
						Insecure bool
					}
				}
				Registries struct {
					Insecure struct{ Registries []string }
				}
			}
			if tomledit.Decode(data, &c, false) != nil {
				continue
			}
			for _, r := range c.Registry {
				if r.Insecure {
					entries = append(entries, r.Location, r.Prefix)
				}
				for _, m := range r.Mirror {
					if m.Insecure {
						entries = append(entries, m.Location)
					}
				}
			}
			entries = append(entries, c.Registries.Insecure.Registries...)
		}
		for _, e := range entries {
			if registryMatches(e, host) {
				return f
			}
		}
	}
	return ""
}

// registryMatches reports whether a configured insecure registry entry
// (a host[:port], a repository prefix, a *.domain wildcard, or a CIDR of
// addresses) covers host.
func registryMatches(entry, host string) bool {
	entry = strings.TrimSpace(entry)
	if entry == "" {
		return false
	}
	if _, n, err := net.ParseCIDR(entry); err == nil {
		ip := net.ParseIP(strings.TrimSuffix(strings.TrimPrefix(hostOnly(host), "["), "]"))
		return ip != nil && n.Contains(ip)
	}
	entry, _, _ = strings.Cut(strings.TrimPrefix(strings.TrimPrefix(entry, "https://"), "http://"), "/")
	name := hostOnly(host)
	if suffix, ok := strings.CutPrefix(entry, "*."); ok {
		return strings.HasSuffix(name, "."+strings.ToLower(suffix))
	}
	if strings.Contains(entry, ":") && !strings.HasPrefix(entry, "[") && strings.Count(entry, ":") == 1 {
		c, err := CanonicalHost(entry, "https")
		return err == nil && c == host
	}
	c, err := CanonicalHost(entry, "https")
	// An entry without a port covers the host on any port.
	return err == nil && (c == host || c == name)
}

// isLoopbackHost reports whether a canonical host[:port] is loopback.
func isLoopbackHost(host string) bool {
	h := strings.TrimSuffix(strings.TrimPrefix(hostOnly(host), "["), "]")
	return h == "localhost" || (net.ParseIP(h) != nil && net.ParseIP(h).IsLoopback())
}
