package credhelper

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	xunicode "golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

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
		if src, why := insecureRegistry(t.Host, InsecureRegistryFiles()); src != "" {
			return Target{}, fmt.Errorf("%w: %s %s %s, so the token could go over plain http", ErrInsecureTarget, t.Host, why, src)
		}
	}
	return t, nil
}

// InsecureRegistryFiles lists the files that may mark a registry insecure:
// docker's daemon.json (rootful, rootless, Docker Desktop's and, on
// Windows, the service's) and every registries.conf
// podman, skopeo or buildah may read (containers-registries.conf(5)): the
// system's, the user's, the one $CONTAINERS_REGISTRIES_CONF names, and
// the drop-ins of the system and of the user. All are read whichever of
// them the tool would pick: one marking a registry insecure is enough.
func InsecureRegistryFiles() []string {
	user := filepath.Join(xdg.ConfigHome("authwrap"), "containers")
	files := []string{"/etc/docker/daemon.json", filepath.Join(xdg.ConfigHome("authwrap"), "docker", "daemon.json"),
		// Docker Desktop's engine settings (macOS, Windows, Linux).
		filepath.Join(xdg.Home("authwrap"), ".docker", "daemon.json"),
		"/etc/containers/registries.conf", filepath.Join(user, "registries.conf")}
	if pd := os.Getenv("ProgramData"); runtime.GOOS == "windows" && pd != "" {
		// dockerd as a Windows service.
		files = append(files, filepath.Join(pd, "docker", "config", "daemon.json"))
	}
	if f := os.Getenv("CONTAINERS_REGISTRIES_CONF"); f != "" {
		files = append(files, f)
	}
	for _, dir := range []string{"/etc/containers/registries.conf.d", filepath.Join(user, "registries.conf.d")} {
		dropins, _ := filepath.Glob(filepath.Join(dir, "*.conf"))
		files = append(files, dropins...)
	}
	return files
}

// insecureRegistry names the file among files that marks host (canonical
// host[:port]) insecure, or that could not be read as its program reads
// it (so it may), and says which; "" when none does. Loopback hosts are
// never reported: their plain http stays on the machine.
func insecureRegistry(host string, files []string) (src, why string) {
	if isLoopbackHost(host) {
		return "", ""
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			// Missing, or not readable by this user (an administrator's
			// 0600 file): nothing to go on, and refusing every registry
			// for it would leave docker with no credentials at all.
			continue
		}
		var entries []string
		if strings.HasSuffix(f, ".json") {
			var d struct {
				Insecure []string `json:"insecure-registries"`
			}
			// As dockerd reads it: UTF-8, or UTF-16 after a byte order
			// mark (what Notepad and PowerShell write).
			if data, err = bomDecode(data); err != nil {
				return f, "may be marked insecure in the unparsable"
			}
			// An empty file is an empty configuration to dockerd.
			if data = bytes.TrimSpace(data); len(data) > 0 && json.Unmarshal(data, &d) != nil {
				return f, "may be marked insecure in the unparsable"
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
				return f, "may be marked insecure in the unparsable"
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
				return f, "is marked insecure in"
			}
		}
	}
	return "", ""
}

// bomDecode reads a file that may start with a byte order mark, as
// dockerd reads daemon.json.
func bomDecode(data []byte) ([]byte, error) {
	out, _, err := transform.Bytes(xunicode.BOMOverride(xunicode.UTF8.NewDecoder()), data)
	return out, err
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
		name := strings.TrimSuffix(strings.TrimPrefix(hostOnly(host), "["), "]")
		if ip := net.ParseIP(name); ip != nil {
			return n.Contains(ip)
		}
		// dockerd matches a name by the addresses it resolves to; one
		// that cannot be resolved now is taken as matching.
		ips, err := resolve(name)
		if err != nil || len(ips) == 0 {
			return true
		}
		return slices.ContainsFunc(ips, n.Contains)
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

// resolve looks a registry's name up, within a bound: the helper answers
// docker, which waits on it.
var resolve = func(name string) ([]net.IP, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	return net.DefaultResolver.LookupIP(ctx, "ip", name)
}

// isLoopbackHost reports whether a canonical host[:port] is loopback.
func isLoopbackHost(host string) bool {
	h := strings.TrimSuffix(strings.TrimPrefix(hostOnly(host), "["), "]")
	return h == "localhost" || (net.ParseIP(h) != nil && net.ParseIP(h).IsLoopback())
}
