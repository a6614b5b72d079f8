package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authwrap/authwrap/flow/authkittest"
)

// The package managers, driven as their users run them, against loopback
// servers that let in only a valid, unexpired access token signed by the
// test's local AuthKit server.

// lookClient finds a client program that can run, or skips: a program
// that is installed but cannot run (a rustup shim with no default
// toolchain) is as absent as a missing one. With AUTHWRAP_REQUIRE_CLIENTS=1
// (as .ci/run sets) or in CI either fails the test instead. versionArgs
// ask the program for its version (default --version).
func lookClient(t *testing.T, name string, versionArgs ...string) string {
	t.Helper()
	required := os.Getenv("CI") != "" || os.Getenv("AUTHWRAP_REQUIRE_CLIENTS") == "1"
	p, err := exec.LookPath(name)
	if err != nil {
		if required {
			t.Fatalf("%s is not installed", name)
		}
		t.Skipf("needs %s", name)
	}
	if len(versionArgs) == 0 {
		versionArgs = []string{"--version"}
	}
	if out, err := exec.Command(p, versionArgs...).CombinedOutput(); err != nil {
		if required {
			t.Fatalf("%s cannot run (%s %s: %v):\n%s", name, p, strings.Join(versionArgs, " "), err, out)
		}
		t.Skipf("needs %s, which is installed but cannot run (%s %s: %v)", name, name, strings.Join(versionArgs, " "), err)
	}
	return p
}

// guarded is a server that counts requests and refuses any without a
// valid token (as the Authorization header, verbatim or after "Bearer ",
// or as a Basic password).
type guarded struct {
	check *gitServer
	mu    sync.Mutex
	ok    int
	bad   []string
	// reject refuses this many valid requests first (a token revoked by
	// the server while still unexpired).
	reject int
}

func (g *guarded) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok := r.Header.Get("Authorization")
		if _, pw, ok := r.BasicAuth(); ok {
			tok = pw
		}
		tok = strings.TrimPrefix(tok, "Bearer ")
		g.mu.Lock()
		check := g.check
		g.mu.Unlock()
		why := check.check(tok)
		g.mu.Lock()
		if why == "" && g.reject > 0 {
			g.reject--
			why = "revoked"
		}
		if why != "" {
			g.bad = append(g.bad, r.URL.Path+": "+why)
			g.mu.Unlock()
			w.Header().Set("WWW-Authenticate", `Cargo login_url="https://example.invalid/login"`)
			http.Error(w, "unauthorized: "+why, http.StatusUnauthorized)
			return
		}
		g.ok++
		g.mu.Unlock()
		h.ServeHTTP(w, r)
	})
}

func (g *guarded) counts() (ok int, bad []string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.ok, append([]string(nil), g.bad...)
}

// pkgEnv starts a local AuthKit server with short-lived tokens and signs
// in: the environment and the authwrap binary.
func pkgEnv(t *testing.T, ttl time.Duration, extra ...string) (*authkittest.Server, string, []string, func(name string, args ...string) (string, error)) {
	t.Helper()
	srv := authkittest.NewServer(authkittest.Config{Interval: time.Second, AutoApprove: time.Millisecond, AccessTokenTTL: ttl})
	t.Cleanup(srv.Close)
	bin, env, run := clientEnv(t, srv, extra...)
	if out, err := run(bin, "login"); err != nil {
		t.Fatalf("login: %v\n%s", err, out)
	}
	return srv, bin, env, run
}

// clientEnv is pkgEnv's environment for srv, without the sign-in.
func clientEnv(t *testing.T, srv *authkittest.Server, extra ...string) (string, []string, func(name string, args ...string) (string, error)) {
	t.Helper()
	bin := buildAuthwrap(t)
	home := t.TempDir()
	// The clients' own installations stay where they are (rustup's
	// toolchains, pyenv's Pythons); their caches and configuration move
	// under the test's home.
	realHome, _ := os.UserHomeDir()
	keep := []string{"PATH=" + filepath.Dir(bin) + string(os.PathListSeparator) + os.Getenv("PATH"), "CARGO_HOME=" + filepath.Join(home, ".cargo")}
	for name, def := range map[string]string{"RUSTUP_HOME": filepath.Join(realHome, ".rustup"), "PYENV_ROOT": filepath.Join(realHome, ".pyenv")} {
		keep = append(keep, name+"="+cmpOr(os.Getenv(name), def))
	}
	env := serverEnv(home, srv, append(keep, extra...)...)
	run := func(name string, args ...string) (string, error) {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Env = env
		cmd.Dir = home
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	return bin, env, run
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// crateFile is a .crate: a gzipped tar of NAME-VERSION/.
func crateFile(t *testing.T, name, version string) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for path, body := range map[string]string{
		"Cargo.toml": fmt.Sprintf("[package]\nname = %q\nversion = %q\nedition = \"2021\"\n", name, version),
		"src/lib.rs": "pub fn hello() -> &'static str { \"hello from the private registry\" }\n",
	} {
		if err := tw.WriteHeader(&tar.Header{Name: name + "-" + version + "/" + path, Mode: 0o644, Size: int64(len(body)), ModTime: time.Unix(1700000000, 0)}); err != nil {
			t.Fatal(err)
		}
		_, _ = tw.Write([]byte(body))
	}
	_ = tw.Close()
	_ = gz.Close()
	return buf.Bytes()
}

// TestCargoClient: cargo fetches a crate from a sparse registry that
// requires authentication, getting the token from authwrap's credential
// provider; after the token expired it still works (refreshed); signed
// out with no terminal, cargo fails with authwrap's hint.
func TestCargoClient(t *testing.T) {
	cargo := lookClient(t, "cargo")
	t.Parallel()
	srv, bin, _, run := pkgEnv(t, 3*time.Second)
	g, fetch := cargoRegistry(t, srv, bin, run, cargo)
	if out, err := fetch(); err != nil {
		_, bad := g.counts()
		t.Fatalf("cargo fetch: %v\n%s\nrefused: %v", err, out, bad)
	}
	ok, _ := g.counts()
	if ok < 3 {
		t.Fatalf("the registry let in %d requests; want config.json, the index entry and the download", ok)
	}
	// The token expires (3 s); cargo's cache of it ends a minute before
	// its expiry, so the next run asks again and authwrap refreshes.
	time.Sleep(3500 * time.Millisecond)
	refreshes := srv.Requests(authkittest.Refresh)
	// Without Cargo.lock cargo updates the index again, with a token.
	if out, err := fetch(); err != nil {
		t.Fatalf("cargo fetch after the token expired: %v\n%s", err, out)
	}
	if srv.Requests(authkittest.Refresh) <= refreshes {
		t.Error("no refresh after the token expired")
	}
	if out, err := run(bin, "logout"); err != nil {
		t.Fatalf("logout: %v\n%s", err, out)
	}
	out, err := fetch()
	if err == nil {
		t.Fatalf("cargo fetch without a session succeeded:\n%s", out)
	}
	if !strings.Contains(out, "authwrap login") {
		t.Errorf("cargo does not show authwrap's hint:\n%s", out)
	}
}

// cargoRegistry serves a sparse registry that lets in only srv's valid
// tokens, with one crate, sets cargo up for it (registry corp), and
// returns the guard and a cargo fetch of a project that depends on it.
func cargoRegistry(t *testing.T, srv *authkittest.Server, bin string, run func(string, ...string) (string, error), cargo string) (*guarded, func() (string, error)) {
	t.Helper()
	crate := crateFile(t, "privdep", "0.1.0")
	sum := sha256.Sum256(crate)
	g := &guarded{check: &gitServer{authkit: srv}}
	mux := http.NewServeMux()
	reg := httptest.NewServer(g.wrap(mux))
	t.Cleanup(reg.Close)
	mux.HandleFunc("/index/config.json", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"dl":"%s/dl/{crate}/{version}","api":"%s","auth-required":true}`, reg.URL, reg.URL)
	})
	mux.HandleFunc("/index/pr/iv/privdep", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"name":"privdep","vers":"0.1.0","deps":[],"cksum":"%s","features":{},"yanked":false}`+"\n", hex.EncodeToString(sum[:]))
	})
	mux.HandleFunc("/dl/privdep/0.1.0", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(crate) })

	out, err := run(bin, "setup", "cargo", "--registry", "corp", "--index", "sparse+"+reg.URL+"/index/")
	if err != nil {
		t.Fatalf("setup cargo: %v\n%s", err, out)
	}
	project := filepath.Join(t.TempDir(), "app")
	if err := os.MkdirAll(filepath.Join(project, "src"), 0o700); err != nil {
		t.Fatal(err)
	}
	_ = os.WriteFile(filepath.Join(project, "Cargo.toml"), []byte("[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nprivdep = { version = \"0.1\", registry = \"corp\" }\n"), 0o600)
	_ = os.WriteFile(filepath.Join(project, "src", "main.rs"), []byte("fn main() { println!(\"{}\", privdep::hello()); }\n"), 0o600)
	fetch := func() (string, error) {
		_ = os.Remove(filepath.Join(project, "Cargo.lock"))
		return run(cargo, "fetch", "--manifest-path", filepath.Join(project, "Cargo.toml"))
	}
	return g, fetch
}

// pemCert is the test server's certificate, for the go command's trust.
func pemCert(s *httptest.Server) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.Certificate().Raw})
}

// moduleZip is a module zip of example.test/private@version.
func moduleZip(t *testing.T, version string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	prefix := "example.test/private@" + version + "/"
	for path, body := range map[string]string{
		"go.mod":     "module example.test/private\n\ngo 1.21\n",
		"private.go": "// Package private is served by a private proxy.\npackage private\n\n// Hello greets.\nfunc Hello() string { return \"hello\" }\n",
	} {
		f, err := zw.Create(prefix + path)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = f.Write([]byte(body))
	}
	_ = zw.Close()
	return buf.Bytes()
}

// TestGoClient: `go mod download` of a module from a GOPROXY that needs
// the token, with GOAUTH set by `setup go`; when the proxy refuses the
// first token, the go command's retry makes authwrap refresh once.
func TestGoClient(t *testing.T) {
	gocmd := lookClient(t, "go", "version")
	t.Parallel()
	g := &guarded{}
	mux := http.NewServeMux()
	proxy := httptest.NewTLSServer(g.wrap(mux))
	defer proxy.Close()
	zipData := moduleZip(t, "v1.0.0")
	mux.HandleFunc("/example.test/private/@v/list", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "v1.0.0") })
	mux.HandleFunc("/example.test/private/@v/v1.0.0.info", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"Version":"v1.0.0","Time":"2026-01-01T00:00:00Z"}`)
	})
	mux.HandleFunc("/example.test/private/@v/v1.0.0.mod", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "module example.test/private\n\ngo 1.21\n")
	})
	mux.HandleFunc("/example.test/private/@v/v1.0.0.zip", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(zipData) })
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(ca, pemCert(proxy), 0o600); err != nil {
		t.Fatal(err)
	}
	srv, bin, _, run := pkgEnv(t, time.Hour,
		"SSL_CERT_FILE="+ca, "GOPROXY="+proxy.URL, "GOSUMDB=off", "GOFLAGS=-modcacherw",
		"GOMODCACHE="+filepath.Join(dir, "modcache"), "GOENV="+filepath.Join(dir, "go.env"), "GOTOOLCHAIN=local")
	// The proxy started first (its certificate is in the environment):
	// its handlers read the checker under the lock.
	g.mu.Lock()
	g.check = &gitServer{authkit: srv}
	g.mu.Unlock()
	host := strings.TrimPrefix(proxy.URL, "https://")
	if out, err := run(bin, "setup", "go", "--host", host, "--write"); err != nil {
		t.Fatalf("setup go: %v\n%s", err, out)
	}
	if out, _ := run(gocmd, "env", "GOAUTH"); !strings.Contains(out, bin+" goauth") {
		t.Fatalf("GOAUTH after setup go: %s", out)
	}
	out, err := run(gocmd, "mod", "download", "-json", "example.test/private@v1.0.0")
	if err != nil {
		_, bad := g.counts()
		t.Fatalf("go mod download: %v\n%s\nrefused: %v", err, out, bad)
	}
	if ok, bad := g.counts(); ok < 2 || len(bad) != 0 {
		t.Fatalf("the proxy let in %d requests and refused %v", ok, bad)
	}
	// The proxy refuses the next (valid) token once: the go command runs
	// `authwrap goauth URL`, which refreshes, and the download goes on.
	_ = os.RemoveAll(filepath.Join(dir, "modcache"))
	g.mu.Lock()
	g.reject = 1
	g.mu.Unlock()
	refreshes := srv.Requests(authkittest.Refresh)
	if out, err := run(gocmd, "mod", "download", "-json", "example.test/private@v1.0.0"); err != nil {
		t.Fatalf("go mod download after a refusal: %v\n%s", err, out)
	}
	if n := srv.Requests(authkittest.Refresh) - refreshes; n != 1 {
		t.Errorf("%d refreshes after one refusal, want 1", n)
	}
}

// wheelFile is a minimal wheel of privpkg.
func wheelFile(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	files := map[string]string{
		"privpkg/__init__.py":                 "HELLO = 'hello'\n",
		"privpkg-1.0.dist-info/METADATA":      "Metadata-Version: 2.1\nName: privpkg\nVersion: 1.0\n",
		"privpkg-1.0.dist-info/WHEEL":         "Wheel-Version: 1.0\nGenerator: authwrap-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
		"privpkg-1.0.dist-info/top_level.txt": "privpkg\n",
	}
	var record strings.Builder
	for name, body := range files {
		f, _ := zw.Create(name)
		_, _ = f.Write([]byte(body))
		fmt.Fprintf(&record, "%s,,\n", name)
	}
	record.WriteString("privpkg-1.0.dist-info/RECORD,,\n")
	f, _ := zw.Create("privpkg-1.0.dist-info/RECORD")
	_, _ = f.Write([]byte(record.String()))
	_ = zw.Close()
	return buf.Bytes()
}

// TestPipClient: pip downloads a wheel from a PEP 503 index that needs
// the token, through authwrap as its keyring subprocess provider; an
// index no profile lists gets nothing from it.
func TestPipClient(t *testing.T) {
	pip := lookClient(t, "pip")
	// --keyring-provider came with pip 23.1.
	if out, _ := exec.Command(pip, "download", "--help").CombinedOutput(); !strings.Contains(string(out), "--keyring-provider") {
		if os.Getenv("CI") != "" || os.Getenv("AUTHWRAP_REQUIRE_CLIENTS") == "1" {
			t.Fatalf("pip is older than 23.1 (no --keyring-provider)")
		}
		t.Skip("needs pip 23.1 or later (--keyring-provider)")
	}
	t.Parallel()
	srv, bin, _, run := pkgEnv(t, time.Hour, "PIP_CONFIG_FILE="+os.DevNull, "PIP_NO_CACHE_DIR=1", "PIP_DISABLE_PIP_VERSION_CHECK=1")
	wheel := wheelFile(t)
	sum := sha256.Sum256(wheel)
	g := &guarded{check: &gitServer{authkit: srv}}
	mux := http.NewServeMux()
	index := httptest.NewServer(g.wrap(mux))
	defer index.Close()
	mux.HandleFunc("/simple/privpkg/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "<!DOCTYPE html><html><body><a href=\"/files/privpkg-1.0-py3-none-any.whl#sha256=%s\">privpkg-1.0-py3-none-any.whl</a></body></html>\n", hex.EncodeToString(sum[:]))
	})
	mux.HandleFunc("/files/privpkg-1.0-py3-none-any.whl", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(wheel) })
	out, err := run(bin, "setup", "pip", "--index", index.URL+"/simple/")
	if err != nil {
		t.Fatalf("setup pip: %v\n%s", err, out)
	}
	indexURL := strings.Replace(index.URL, "http://", "http://x-access-token@", 1) + "/simple/"
	dest := t.TempDir()
	out, err = run(pip, "download", "--no-deps", "--keyring-provider", "subprocess", "--index-url", indexURL, "-d", dest, "privpkg==1.0")
	if err != nil {
		_, bad := g.counts()
		t.Fatalf("pip download: %v\n%s\nrefused: %v", err, out, bad)
	}
	if _, err := os.Stat(filepath.Join(dest, "privpkg-1.0-py3-none-any.whl")); err != nil {
		t.Fatalf("no wheel downloaded: %v\n%s", err, out)
	}
	// Another index (no profile lists it) gets no credential: pip is
	// refused there, and authwrap said nothing.
	other := httptest.NewServer(g.wrap(mux))
	defer other.Close()
	_, before := g.counts()
	out, err = run(pip, "download", "--no-deps", "--keyring-provider", "subprocess", "--index-url",
		strings.Replace(other.URL, "http://", "http://x-access-token@", 1)+"/simple/", "-d", t.TempDir(), "privpkg==1.0")
	if err == nil {
		t.Fatalf("pip got the package from an index authwrap does not serve:\n%s", out)
	}
	if _, after := g.counts(); len(after) == len(before) {
		t.Error("the other index saw no refused request")
	} else if !strings.Contains(after[len(after)-1], "no token") {
		t.Errorf("the other index got a token: %v", after[len(before):])
	}

	// A profile host reached over plain http (an http:// index with
	// --trusted-host, as a typo or a requirements file makes it), here
	// through a loopback proxy: pip asks for the URL, then for the bare
	// host. Neither says https, so neither gets the token.
	if out, err := run(bin, "setup", "pip", "--index", "https://pypi.example.com/simple/"); err != nil {
		t.Fatalf("setup pip: %v\n%s", err, out)
	}
	proxy := httptest.NewServer(g.wrap(mux))
	defer proxy.Close()
	_, before = g.counts()
	okBefore, _ := g.counts()
	out, err = run(pip, "download", "--no-deps", "--keyring-provider", "subprocess", "--proxy", proxy.URL,
		"--index-url", "http://x-access-token@pypi.example.com/simple/", "--trusted-host", "pypi.example.com", "-d", t.TempDir(), "privpkg==1.0")
	ok, after := g.counts()
	if err == nil || ok != okBefore {
		t.Fatalf("pip sent the token over plain http to pypi.example.com:\n%s", out)
	}
	if len(after) == len(before) {
		t.Fatalf("the proxy saw no request (is pip using it?):\n%s", out)
	}
	for _, why := range after[len(before):] {
		if !strings.Contains(why, "no token") {
			t.Errorf("plain http request carried a credential: %s", why)
		}
	}
}
