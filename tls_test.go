package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// testHost is the name the TLS test server's certificate carries. Only
// the test proxy resolves it (to 127.0.0.1); nothing looks it up in DNS.
const testHost = "authkit.test"

// newTestCA makes a private CA, writes its certificate to caFile, and
// returns a server TLS config with a certificate for testHost.
func newTestCA(ts *testscript.TestScript, caFile string) *tls.Config {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ts.Check(err)
	ca := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "authwrap test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	ts.Check(err)
	caCert, err := x509.ParseCertificate(caDER)
	ts.Check(err)
	ts.Check(os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), 0o644))
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ts.Check(err)
	leaf := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: testHost},
		DNSNames: []string{testHost}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, leaf, caCert, &key.PublicKey, caKey)
	ts.Check(err)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
}

// connectProxy is an HTTP CONNECT proxy that counts tunnels and only ever
// dials 127.0.0.1, whatever host was asked for.
type connectProxy struct {
	mu      sync.Mutex
	tunnels int
}

func (p *connectProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodConnect {
		http.Error(w, "CONNECT only", http.StatusMethodNotAllowed)
		return
	}
	_, port, err := net.SplitHostPort(r.Host)
	if err != nil {
		http.Error(w, "bad host", http.StatusBadRequest)
		return
	}
	upstream, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", port))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	p.mu.Lock()
	p.tunnels++
	p.mu.Unlock()
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		upstream.Close()
		return
	}
	_, _ = io.WriteString(conn, "HTTP/1.1 200 Connection established\r\n\r\n")
	go func() { _, _ = io.Copy(upstream, conn); upstream.Close() }()
	go func() { _, _ = io.Copy(conn, upstream); conn.Close() }()
}

var proxies sync.Map // script work dir -> *connectProxy

// proxyCmd runs a counting CONNECT proxy for a script:
//
//	proxy start      start it and set HTTPS_PROXY
//	proxy used N     assert at least N tunnels were opened through it
func proxyCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: proxy start | proxy used N")
	}
	key := ts.Getenv("WORK")
	switch args[0] {
	case "start":
		p := &connectProxy{}
		l, err := net.Listen("tcp", "127.0.0.1:0")
		ts.Check(err)
		srv := &http.Server{Handler: p, ReadHeaderTimeout: 5 * time.Second}
		go func() { _ = srv.Serve(l) }()
		ts.Defer(func() { _ = srv.Close() })
		proxies.Store(key, p)
		ts.Setenv("HTTPS_PROXY", "http://"+l.Addr().String())
	case "used":
		v, ok := proxies.Load(key)
		if !ok || len(args) != 2 {
			ts.Fatalf("usage: proxy used N, after proxy start")
		}
		want, err := strconv.Atoi(args[1])
		ts.Check(err)
		p := v.(*connectProxy)
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.tunnels < want {
			ts.Fatalf("proxy tunnels = %d, want at least %d", p.tunnels, want)
		}
	default:
		ts.Fatalf("proxy: unknown subcommand %q", args[0])
	}
}
