package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/authwrap/authwrap/flow/authkittest"
)

// tfRegistry is a Terraform module registry (service discovery, the
// modules.v1 protocol) over https, as testHost (reach it through `proxy
// start`: Terraform wants a host name with a dot), that answers only
// requests whose bearer token is a valid, unexpired access token from
// the script's local AuthKit server: what `terraform init` asks a
// private registry for, with the token its credentials helper gave.
// It serves one module, acme/net/aws 1.0.0.
type tfRegistry struct {
	check func(tok string) string // why tok is refused, or ""

	mu       sync.Mutex
	accepted map[string]bool
	refused  int
	marked   int
}

func (reg *tfRegistry) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/.well-known/terraform.json" {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"modules.v1":"/v1/modules/"}`))
		return
	}
	if r.URL.Path == "/archive/net.tar.gz" {
		// Where the download points: go-getter fetches it without the token.
		w.Header().Set("Content-Type", "application/gzip")
		_, _ = w.Write(moduleArchive())
		return
	}
	tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if why := reg.check(tok); why != "" {
		reg.mu.Lock()
		reg.refused++
		reg.mu.Unlock()
		http.Error(w, `{"errors":["unauthorized: `+why+`"]}`, http.StatusUnauthorized)
		return
	}
	reg.mu.Lock()
	reg.accepted[tok] = true
	reg.mu.Unlock()
	switch r.URL.Path {
	case "/v1/modules/acme/net/aws/versions":
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"modules": []any{map[string]any{"versions": []any{map[string]any{"version": "1.0.0"}}}}})
	case "/v1/modules/acme/net/aws/1.0.0/download":
		w.Header().Set("X-Terraform-Get", "https://"+r.Host+"/archive/net.tar.gz")
		w.WriteHeader(http.StatusNoContent)
	default:
		http.NotFound(w, r)
	}
}

// moduleArchive is the module: one file with one output.
func moduleArchive() []byte {
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	body := []byte("output \"from_registry\" {\n  value = \"acme/net/aws 1.0.0\"\n}\n")
	_ = tw.WriteHeader(&tar.Header{Name: "main.tf", Mode: 0o644, Size: int64(len(body)), ModTime: time.Unix(0, 0)})
	_, _ = tw.Write(body)
	_ = tw.Close()
	_ = gz.Close()
	return buf.Bytes()
}

var tfRegistries sync.Map // $WORK -> *tfRegistry

// tfregistryCmd runs a script's Terraform module registry:
//
//	tfregistry start      serve at $TFREG (authkit.test:PORT, through `proxy start`), its CA in $WORK/tfca.pem
//	tfregistry newtoken   assert a token not let in before was let in since the last newtoken, and none refused
func tfregistryCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: tfregistry start|newtoken")
	}
	switch args[0] {
	case "start":
		v, ok := servers.Load(ts)
		if !ok {
			ts.Fatalf("tfregistry: run authkit start first")
		}
		gs := &gitServer{authkit: v.(*authkittest.Server)}
		reg := &tfRegistry{check: gs.check, accepted: map[string]bool{}}
		l, err := net.Listen("tcp", "127.0.0.1:0")
		ts.Check(err)
		srv := &http.Server{Handler: reg, ReadHeaderTimeout: 10 * time.Second,
			TLSConfig: newTestCA(ts, filepath.Join(ts.Getenv("WORK"), "tfca.pem"))}
		go func() { _ = srv.ServeTLS(l, "", "") }()
		ts.Defer(func() { _ = srv.Close() })
		tfRegistries.Store(ts.Getenv("WORK"), reg)
		_, port, _ := net.SplitHostPort(l.Addr().String())
		ts.Setenv("TFREG", testHost+":"+port)
	case "newtoken":
		v, ok := tfRegistries.Load(ts.Getenv("WORK"))
		if !ok {
			ts.Fatalf("tfregistry: not started")
		}
		reg := v.(*tfRegistry)
		reg.mu.Lock()
		defer reg.mu.Unlock()
		if reg.refused != 0 || len(reg.accepted) <= reg.marked {
			ts.Fatalf("registry: %d tokens let in (%d before), %d requests refused; want a new one let in and none refused",
				len(reg.accepted), reg.marked, reg.refused)
		}
		reg.marked = len(reg.accepted)
	default:
		ts.Fatalf("tfregistry: unknown subcommand %q", args[0])
	}
}
