package credhelper

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	"golang.org/x/net/idna"

	"github.com/authwrap/authwrap/flow"
	"github.com/authwrap/authwrap/internal/config"
)

// Errors from host binding. Callers answer "nothing" for both, so the
// client asks its next helper; they are distinct so a test can tell them
// apart.
var (
	// ErrUnknownHost means no profile lists the host.
	ErrUnknownHost = errors.New("no profile lists this host")
	// ErrInsecureTarget means the request is not https (or http to a
	// loopback host), or its host is malformed.
	ErrInsecureTarget = errors.New("refusing to send a token there")
)

// Target is where a client wants to send a credential: a scheme and a
// canonical host (lower case, no trailing dot, IDN in ASCII form, the
// scheme's default port dropped).
type Target struct {
	Scheme string
	Host   string
}

// String renders the target as scheme://host.
func (t Target) String() string { return t.Scheme + "://" + t.Host }

// CanonicalHost puts host[:port] in the one form profiles are matched in.
// It refuses user info, empty or malformed hosts and bad ports.
func CanonicalHost(hostport, scheme string) (string, error) {
	if hostport == "" || strings.ContainsAny(hostport, "@/\\?#%\x00 \t\r\n") {
		return "", fmt.Errorf("%w: bad host %.80q", ErrInsecureTarget, hostport)
	}
	host, port := hostport, ""
	if h, p, err := net.SplitHostPort(hostport); err == nil {
		if p == "" {
			return "", fmt.Errorf("%w: empty port in %.80q", ErrInsecureTarget, hostport)
		}
		host, port = h, p
	} else if strings.Count(hostport, ":") > 1 && !strings.HasPrefix(hostport, "[") {
		host = hostport // a bare IPv6 address
	} else if strings.Contains(hostport, ":") {
		return "", fmt.Errorf("%w: bad host %.80q", ErrInsecureTarget, hostport)
	}
	host = strings.TrimSuffix(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"), ".")
	if ip := net.ParseIP(host); ip != nil {
		host = ip.String()
	} else {
		ascii, err := idna.Lookup.ToASCII(host)
		if err != nil || ascii == "" {
			return "", fmt.Errorf("%w: bad host name %.80q", ErrInsecureTarget, host)
		}
		host = strings.ToLower(ascii)
	}
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 {
			return "", fmt.Errorf("%w: bad port %.20q", ErrInsecureTarget, port)
		}
		if (scheme == "https" && n == 443) || (scheme == "http" && n == 80) {
			port = ""
		} else {
			port = strconv.Itoa(n)
		}
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		return host + ":" + port, nil
	}
	return host, nil
}

// NewTarget checks a scheme and host and makes a Target: https anywhere,
// http only to a loopback host.
func NewTarget(scheme, hostport string) (Target, error) {
	scheme = strings.ToLower(scheme)
	if scheme != "https" && scheme != "http" {
		return Target{}, fmt.Errorf("%w: protocol %.20q is not https", ErrInsecureTarget, scheme)
	}
	host, err := CanonicalHost(hostport, scheme)
	if err != nil {
		return Target{}, err
	}
	if scheme == "http" {
		// Loopback is judged on the host as the client will use it, before
		// canonical form drops a trailing dot: "localhost." and
		// "127.0.0.1." go to DNS, so they are not loopback.
		h := hostport
		if hh, _, err := net.SplitHostPort(hostport); err == nil {
			h = hh
		}
		if !flow.IsLoopback(strings.TrimSuffix(strings.TrimPrefix(h, "["), "]")) {
			return Target{}, fmt.Errorf("%w: plain http to %s", ErrInsecureTarget, hostport)
		}
	}
	return Target{Scheme: scheme, Host: host}, nil
}

// ParseTargetURL makes a Target from a URL a client sends with a request
// (git's url=, pip's index URL, cargo's index, the go command's URL, a
// kubeconfig's server). A request that does not say its scheme gets
// nothing (ErrInsecureTarget) unless its host is loopback: the client may
// send it over plain http (pip and uv ask again with the bare host[:port]
// of an http:// index; kubectl talks http to a schemeless server that has
// no CA), and a token must never go there.
func ParseTargetURL(raw string) (Target, error) {
	raw = strings.TrimSpace(raw)
	if !strings.Contains(raw, "://") {
		t, err := ParseHostOrURL(raw)
		if err != nil {
			return Target{}, err
		}
		if !flow.IsLoopback(strings.TrimSuffix(strings.TrimPrefix(hostOnly(raw), "["), "]")) {
			return Target{}, fmt.Errorf("%w: %.80q does not say its scheme, so it may be sent over plain http (give the full https:// URL)", ErrInsecureTarget, raw)
		}
		return t, nil
	}
	return ParseHostOrURL(raw)
}

// ParseHostOrURL makes a Target from a URL or a bare host[:port], which
// means https: a host a person names (setup's --host) or a registry as
// docker names it (docker uses https unless the daemon is told a registry
// is insecure, which DockerTarget checks).
func ParseHostOrURL(raw string) (Target, error) {
	raw = strings.TrimSpace(raw)
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return Target{}, fmt.Errorf("%w: %v", ErrInsecureTarget, err)
	}
	if u.User != nil {
		return Target{}, fmt.Errorf("%w: a URL with user info", ErrInsecureTarget)
	}
	return NewTarget(u.Scheme, u.Host)
}

// hostOnly is the host of a bare host[:port] (or of its first path
// segment), as a client would dial it.
func hostOnly(raw string) string {
	h, _, _ := strings.Cut(raw, "/")
	if hh, _, err := net.SplitHostPort(h); err == nil {
		return hh
	}
	return h
}

// ProfileFor returns the profile that lists t's host, looking only at the
// named profile when only is set. Profiles are searched by name, so the
// answer does not depend on map order.
func ProfileFor(c *config.Config, t Target, only string) (*config.Entry, error) {
	for _, p := range c.Entries(only) {
		for _, h := range p.Hosts {
			if ch, err := CanonicalHost(h, t.Scheme); err == nil && ch == t.Host {
				return p, nil
			}
		}
	}
	return nil, fmt.Errorf("%w: %s", ErrUnknownHost, t.Host)
}

// ErrNoClusterInfo means kubectl did not say which server it talks to:
// the kubeconfig's exec section lacks provideClusterInfo.
var ErrNoClusterInfo = errors.New("kubectl did not say which cluster the token is for (provideClusterInfo is not set): run `authwrap setup kubectl --cluster NAME` again")

// CheckKubeServer refuses to give profile's token for an API server the
// profile does not list: kubectl hands an exec plugin's token to whatever
// cluster it talks to (a --server override, an edited kubeconfig).
func CheckKubeServer(cfg *config.Config, profile, server string) error {
	if server == "" {
		return ErrNoClusterInfo
	}
	t, err := ParseTargetURL(server)
	if err != nil {
		return fmt.Errorf("cluster server %.120q: %w", server, err)
	}
	if _, err := ProfileFor(cfg, t, profile); err != nil {
		return fmt.Errorf("%w: refusing to send the token of profile %s to the cluster at %s (`authwrap setup kubectl --cluster NAME` binds a kubeconfig cluster's server)", ErrUnknownHost, profile, t)
	}
	return nil
}
