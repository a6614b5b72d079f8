package credhelper

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/authwrap/authwrap/helper"
	"github.com/authwrap/authwrap/internal/config"
)

func TestCanonicalHost(t *testing.T) {
	for in, want := range map[string]string{
		"Git.Example.COM":        "git.example.com",
		"git.example.com.":       "git.example.com",
		"git.example.com:443":    "git.example.com",
		"git.example.com:8443":   "git.example.com:8443",
		"git.example.com:08443":  "git.example.com:8443",
		"bücher.example":         "xn--bcher-kva.example",
		"XN--BCHER-KVA.example.": "xn--bcher-kva.example",
		"[::1]:8080":             "[::1]:8080",
		"127.0.0.1:80":           "127.0.0.1:80",
	} {
		got, err := CanonicalHost(in, "https")
		if err != nil || got != want {
			t.Errorf("CanonicalHost(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "user@git.example.com", "git.example.com:0", "git.example.com:99999",
		"git.example.com:abc", "git.example.com/path", "a b", "git.example.com:", "evil.com#@git.example.com", "\x00"} {
		if got, err := CanonicalHost(bad, "https"); !errors.Is(err, ErrInsecureTarget) {
			t.Errorf("CanonicalHost(%q) = %q, %v; want ErrInsecureTarget", bad, got, err)
		}
	}
}

// TestProfileFor is the security table: a token goes only to a host a
// profile lists, over https (http only to loopback), whatever form the
// request takes.
func TestProfileFor(t *testing.T) {
	cfg := &config.Config{Profiles: map[string]*config.Entry{
		"work":  {Profile: helper.Profile{Name: "work"}, Hosts: []string{"git.example.com", "registry.example.com:5000", "bücher.example"}},
		"local": {Profile: helper.Profile{Name: "local"}, Hosts: []string{"127.0.0.1:8080", "localhost:5000"}},
	}}
	cases := []struct {
		url     string
		profile string // "" means refused
		err     error
	}{
		{"https://git.example.com", "work", nil},
		{"https://GIT.Example.com.", "work", nil},
		{"https://git.example.com:443", "work", nil},
		{"git.example.com", "", ErrInsecureTarget}, // no scheme: pip's second ask for an http:// index
		{"127.0.0.1:8080", "local", nil},           // no scheme, but loopback
		{"localhost:5000", "local", nil},
		{"https://xn--bcher-kva.example", "work", nil},
		{"https://bücher.example", "work", nil},
		{"registry.example.com:5000", "", ErrInsecureTarget},
		{"https://registry.example.com:5000", "work", nil},
		{"https://registry.example.com/v2/", "", ErrUnknownHost},
		{"http://git.example.com", "", ErrInsecureTarget},
		{"https://git.example.com:8443", "", ErrUnknownHost},
		{"https://user@git.example.com", "", ErrInsecureTarget},
		{"https://git.example.com.evil.com", "", ErrUnknownHost},
		{"https://evil.com/git.example.com", "", ErrUnknownHost},
		{"ftp://git.example.com", "", ErrInsecureTarget},
		{"http://127.0.0.1:8080", "local", nil},
		{"http://localhost:5000", "local", nil},
		{"http://127.0.0.1:8081", "", ErrUnknownHost},
	}
	for _, tc := range cases {
		tg, err := ParseTargetURL(tc.url)
		var p *config.Entry
		if err == nil {
			p, err = ProfileFor(cfg, tg, "")
		}
		switch {
		case tc.profile == "" && !errors.Is(err, tc.err):
			t.Errorf("%s: err = %v, want %v", tc.url, err, tc.err)
		case tc.profile != "" && (err != nil || p.Name != tc.profile):
			t.Errorf("%s: got %v, %v; want profile %s", tc.url, p, err, tc.profile)
		}
	}
	tg, _ := ParseTargetURL("https://git.example.com")
	if _, err := ProfileFor(cfg, tg, "local"); !errors.Is(err, ErrUnknownHost) {
		t.Errorf("--profile local must not serve work's host: %v", err)
	}
}

// TestPlainHTTPOnlyToLiteralLoopback: plain http is for the names a client
// never looks up in DNS. A trailing dot, a search-domain name or an IPv4
// shorthand goes to the resolver, which an attacker may control, so it is
// refused as a target before any profile is consulted.
func TestPlainHTTPOnlyToLiteralLoopback(t *testing.T) {
	for _, ok := range []string{"http://localhost:8080", "http://LOCALHOST:8080", "http://127.0.0.1:8080",
		"http://127.0.0.2", "http://[::1]:8080", "http://[0:0:0:0:0:0:0:1]:9"} {
		if _, err := ParseTargetURL(ok); err != nil {
			t.Errorf("ParseTargetURL(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"http://localhost.:8080", "http://127.0.0.1.:8080", "http://localhost.localdomain",
		"http://127.1:8080", "http://0x7f000001", "http://localhost.example.com", "http://[::1%25lo]:80"} {
		if got, err := ParseTargetURL(bad); !errors.Is(err, ErrInsecureTarget) {
			t.Errorf("ParseTargetURL(%q) = %v, %v; want ErrInsecureTarget", bad, got, err)
		}
	}
	// git sends protocol and host apart.
	for _, host := range []string{"localhost.:8080", "127.0.0.1.:8080", "[::1].:80"} {
		if got, err := NewTarget("http", host); !errors.Is(err, ErrInsecureTarget) {
			t.Errorf("NewTarget(http, %q) = %v, %v; want ErrInsecureTarget", host, got, err)
		}
	}
}

// TestKubeServerBinding: the kubectl plugin answers only for a cluster
// server its profile lists, and not at all when kubectl does not say.
func TestKubeServerBinding(t *testing.T) {
	cfg := &config.Config{Profiles: map[string]*config.Entry{
		"default": {Profile: helper.Profile{Name: "default"}, Hosts: []string{"k8s.example.com:6443"}},
		"other":   {Profile: helper.Profile{Name: "other"}, Hosts: []string{"other.example.com"}},
	}}
	if err := CheckKubeServer(cfg, "default", "https://K8S.example.com:6443/"); err != nil {
		t.Errorf("the bound server: %v", err)
	}
	for server, want := range map[string]error{
		"":                                  ErrNoClusterInfo,
		"https://evil.example.com:6443":     ErrUnknownHost,
		"https://k8s.example.com":           ErrUnknownHost, // another port
		"https://other.example.com":         ErrUnknownHost, // another profile's
		"http://k8s.example.com:6443":       ErrInsecureTarget,
		"https://user@k8s.example.com:6443": ErrInsecureTarget,
	} {
		if err := CheckKubeServer(cfg, "default", server); !errors.Is(err, want) {
			t.Errorf("server %q: %v, want %v", server, err, want)
		}
	}
}

// TestDockerTarget: docker, podman and skopeo name a registry without a
// scheme and use https, unless the local configuration marks it insecure
// (then plain http is allowed): such a registry gets nothing, whichever
// file marks it and however the entry is spelled; loopback registries and
// ones named with https:// are not affected.
func TestDockerTarget(t *testing.T) {
	// Every name resolves outside the insecure CIDR below (there is no
	// DNS here; TestDockerTargetAsDockerdReads covers names inside it).
	defer func(r func(string) ([]net.IP, error)) { resolve = r }(resolve)
	resolve = func(string) ([]net.IP, error) { return []net.IP{net.ParseIP("93.184.216.34")}, nil }
	dir := t.TempDir()
	daemon := filepath.Join(dir, "daemon.json")
	if err := os.WriteFile(daemon, []byte(`{"insecure-registries": ["reg.example.com:5000", "10.1.0.0/16", "127.0.0.1:5000"]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(dir, "registries.conf")
	if err := os.WriteFile(conf, []byte("[[registry]]\nlocation = \"podman.example.com/team\"\ninsecure = true\n\n[[registry]]\nlocation = \"safe.example.com\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	v1 := filepath.Join(dir, "v1.conf")
	if err := os.WriteFile(v1, []byte("[registries.insecure]\nregistries = [\"old.example.com\"]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// A mirror marked insecure: podman asks for the mirror's credentials
	// by the mirror's host, and may reach it over plain http.
	mirrors := filepath.Join(dir, "mirrors.conf")
	if err := os.WriteFile(mirrors, []byte("[[registry]]\nlocation = \"docker.io\"\n\n[[registry.mirror]]\nlocation = \"mirror.example.com:5000/library\"\ninsecure = true\n\n[[registry.mirror]]\nlocation = \"tls-mirror.example.com\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	files := []string{filepath.Join(dir, "missing.json"), daemon, conf, v1, mirrors}
	for host, want := range map[string]string{
		"mirror.example.com:5000": mirrors,
		"tls-mirror.example.com":  "",
		"docker.io":               "",
		"reg.example.com:5000":    daemon,
		"reg.example.com":         "", // another port: docker's entry names one
		"10.1.2.3:443":            daemon,
		"10.2.0.1":                "",
		"podman.example.com":      conf,
		"old.example.com:8443":    v1,
		"safe.example.com":        "",
		"127.0.0.1:5000":          "", // loopback: plain http stays on the machine
	} {
		c, err := CanonicalHost(host, "https")
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := insecureRegistry(c, files); got != want {
			t.Errorf("%s: marked insecure by %q, want %q", host, got, want)
		}
	}
	// The files podman reads that authwrap checks: the user's, the one
	// CONTAINERS_REGISTRIES_CONF names, and the user's drop-ins.
	home := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", home)
	named := filepath.Join(dir, "named.conf")
	t.Setenv("CONTAINERS_REGISTRIES_CONF", named)
	if err := os.MkdirAll(filepath.Join(home, "containers", "registries.conf.d"), 0o700); err != nil {
		t.Fatal(err)
	}
	for f, host := range map[string]string{
		filepath.Join(home, "containers", "registries.conf"): "user.example.com",
		named: "named.example.com",
		filepath.Join(home, "containers", "registries.conf.d", "50-team.conf"): "dropin.example.com",
	} {
		if err := os.WriteFile(f, []byte("[[registry]]\nlocation = \""+host+"\"\ninsecure = true\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := DockerTarget(host); !errors.Is(err, ErrInsecureTarget) || !strings.Contains(err.Error(), f) {
			t.Errorf("%s, marked insecure in %s: %v", host, f, err)
		}
	}
	if _, err := DockerTarget("registry.example.com"); err != nil {
		t.Errorf("a bare registry docker reaches over https: %v", err)
	}
	if _, err := DockerTarget("http://registry.example.com"); !errors.Is(err, ErrInsecureTarget) {
		t.Errorf("an http:// registry: %v", err)
	}
}

// TestDockerTargetAsDockerdReads: the daemon.json dockerd reads is read
// the same way: an insecure CIDR covers a registry named by a host name
// that resolves into it (as dockerd resolves it), a name that cannot be
// resolved is refused, a file with a byte order mark (UTF-8 or UTF-16, as
// Notepad and PowerShell write) is read, and a file that cannot be parsed
// refuses every registry rather than being skipped. Docker Desktop's
// ~/.docker/daemon.json is among the files.
func TestDockerTargetAsDockerdReads(t *testing.T) {
	resolved := map[string][]net.IP{"reg.internal.test": {net.ParseIP("10.9.9.9")}, "public.example.com": {net.ParseIP("93.184.216.34")}}
	defer func(r func(string) ([]net.IP, error)) { resolve = r }(resolve)
	resolve = func(name string) ([]net.IP, error) {
		if ips, ok := resolved[name]; ok {
			return ips, nil
		}
		return nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
	}
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		f := filepath.Join(dir, name)
		if err := os.WriteFile(f, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return f
	}
	cidr := write("cidr.json", []byte(`{"insecure-registries": ["10.0.0.0/8"]}`))
	utf8bom := write("bom8.json", append([]byte("\xef\xbb\xbf"), `{"insecure-registries": ["bom8.example.com"]}`...))
	var utf16 []byte
	for _, r := range "\ufeff" + `{"insecure-registries": ["bom16.example.com"]}` {
		utf16 = append(utf16, byte(r), byte(r>>8))
	}
	utf16bom := write("bom16.json", utf16)
	for _, c := range []struct {
		files []string
		host  string
		want  string // the file that refuses it, "" for none
		why   string
	}{
		{[]string{cidr}, "reg.internal.test", cidr, "is marked insecure in"},
		{[]string{cidr}, "public.example.com", "", ""},
		{[]string{cidr}, "nowhere.test", cidr, "is marked insecure in"},
		{[]string{utf8bom}, "bom8.example.com", utf8bom, "is marked insecure in"},
		{[]string{utf16bom}, "bom16.example.com", utf16bom, "is marked insecure in"},
		{[]string{utf16bom}, "other.example.com", "", ""},
		{[]string{write("broken.json", []byte(`{"insecure-registries": [`))}, "any.example.com", filepath.Join(dir, "broken.json"), "may be marked insecure in the unparsable"},
		{[]string{write("broken.conf", []byte("[[registry]\n"))}, "any.example.com", filepath.Join(dir, "broken.conf"), "may be marked insecure in the unparsable"},
		{[]string{cidr}, "127.0.0.1:5000", "", ""},
		// An empty daemon.json is an empty configuration to dockerd.
		{[]string{write("empty.json", []byte("\n  \n"))}, "any.example.com", "", ""},
		{[]string{write("empty-bom.json", []byte("\xef\xbb\xbf"))}, "any.example.com", "", ""},
	} {
		h, err := CanonicalHost(c.host, "https")
		if err != nil {
			t.Fatal(err)
		}
		if src, why := insecureRegistry(h, c.files); src != c.want || why != c.why {
			t.Errorf("%s with %v: %q %q, want %q %q", c.host, c.files, why, src, c.why, c.want)
		}
	}

	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("USERPROFILE", home) // the home directory on Windows
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	desktop := filepath.Join(home, ".docker", "daemon.json")
	if err := os.MkdirAll(filepath.Dir(desktop), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(desktop, []byte(`{"insecure-registries": ["desktop.example.com"]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := DockerTarget("desktop.example.com"); !errors.Is(err, ErrInsecureTarget) || !strings.Contains(err.Error(), desktop) {
		t.Errorf("a registry Docker Desktop's daemon.json marks insecure: %v", err)
	}
}

// TestKubeServerWithoutScheme: kubectl talks plain http to a server
// written without a scheme when the cluster has no CA or client
// certificate (client-go's DefaultServerURL), so such a server gets no
// token unless it is loopback; with https:// it does.
func TestKubeServerWithoutScheme(t *testing.T) {
	cfg := &config.Config{Profiles: map[string]*config.Entry{
		"k": {Profile: helper.Profile{Name: "k"}, Hosts: []string{"k8s.example.com:6443", "127.0.0.1:6443"}},
	}}
	if err := CheckKubeServer(cfg, "k", "k8s.example.com:6443"); !errors.Is(err, ErrInsecureTarget) {
		t.Errorf("schemeless server: %v", err)
	}
	for _, server := range []string{"https://k8s.example.com:6443", "127.0.0.1:6443"} {
		if err := CheckKubeServer(cfg, "k", server); err != nil {
			t.Errorf("%s: %v", server, err)
		}
	}
}
