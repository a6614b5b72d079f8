package main

import (
	"net"
	"net/http"
	"net/http/cgi"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/authwrap/authwrap/flow/authkittest"
)

// gitServer serves bare repositories through git http-backend and lets in
// only requests whose password (or bearer token) is a valid, unexpired
// access token signed by the script's local AuthKit server.
type gitServer struct {
	authkit *authkittest.Server

	mu         sync.Mutex
	requests   int
	withAuth   int
	accepted   map[string]bool // tokens let in
	lastReject string
	marked     int // distinct tokens at the last "newtoken"
}

func (g *gitServer) ServeHTTP(w http.ResponseWriter, r *http.Request, backend http.Handler) {
	g.mu.Lock()
	g.requests++
	g.mu.Unlock()
	tok := ""
	if _, pw, ok := r.BasicAuth(); ok {
		tok = pw
	} else if b, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		tok = b
	}
	if r.Header.Get("Authorization") != "" {
		g.mu.Lock()
		g.withAuth++
		g.mu.Unlock()
	}
	if why := g.check(tok); why != "" {
		g.mu.Lock()
		g.lastReject = why
		g.mu.Unlock()
		w.Header().Set("WWW-Authenticate", `Basic realm="authwrap test git"`)
		http.Error(w, "unauthorized: "+why, http.StatusUnauthorized)
		return
	}
	g.mu.Lock()
	g.accepted[tok] = true
	g.mu.Unlock()
	backend.ServeHTTP(w, r)
}

// check returns why tok is refused, or "".
func (g *gitServer) check(tok string) string {
	if tok == "" {
		return "no token"
	}
	parsed, err := jwt.ParseSigned(tok, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		return "not a JWT"
	}
	var c jwt.Claims
	if err := parsed.Claims(g.authkit.PublicKey(), &c); err != nil {
		return "bad signature"
	}
	if err := c.ValidateWithLeeway(jwt.Expected{Time: time.Now()}, 0); err != nil {
		return "expired"
	}
	return ""
}

var gitServers sync.Map // "<script>/<name>" -> *gitServer

// gitserverCmd runs git servers for a script:
//
//	gitserver start NAME       serve $WORK/NAME.git (created bare) at $GITSRV_NAME (host:port)
//	gitserver newtoken NAME    assert a token not let in before was let in since the last newtoken
//	gitserver anon NAME        assert requests came, none with an Authorization header
func gitserverCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: gitserver start|tokens|anon NAME [N]")
	}
	key := ts.Getenv("WORK") + "/" + args[1]
	switch args[0] {
	case "start":
		v, ok := servers.Load(ts)
		if !ok {
			ts.Fatalf("gitserver: run authkit start first")
		}
		repo := filepath.Join(ts.Getenv("WORK"), args[1]+".git")
		for _, cmd := range [][]string{{"init", "-q", "--bare", "-b", "main", repo}, {"-C", repo, "config", "http.receivepack", "true"}} {
			if out, err := exec.Command("git", cmd...).CombinedOutput(); err != nil {
				ts.Fatalf("git %v: %v\n%s", cmd, err, out)
			}
		}
		execPath, err := exec.Command("git", "--exec-path").Output()
		ts.Check(err)
		backend := &cgi.Handler{
			Path: filepath.Join(strings.TrimSpace(string(execPath)), "git-http-backend"),
			Env:  []string{"GIT_PROJECT_ROOT=" + ts.Getenv("WORK"), "GIT_HTTP_EXPORT_ALL=1", "REMOTE_USER=authwrap"},
		}
		gs := &gitServer{authkit: v.(*authkittest.Server), accepted: map[string]bool{}}
		l, err := net.Listen("tcp", "127.0.0.1:0")
		ts.Check(err)
		srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { gs.ServeHTTP(w, r, backend) }),
			ReadHeaderTimeout: 10 * time.Second}
		go func() { _ = srv.Serve(l) }()
		ts.Defer(func() { _ = srv.Close() })
		gitServers.Store(key, gs)
		ts.Setenv("GITSRV_"+strings.ToUpper(args[1]), l.Addr().String())
	case "newtoken", "anon":
		v, ok := gitServers.Load(key)
		if !ok {
			ts.Fatalf("gitserver: no server %s", args[1])
		}
		gs := v.(*gitServer)
		gs.mu.Lock()
		defer gs.mu.Unlock()
		if args[0] == "anon" {
			if gs.requests == 0 || gs.withAuth != 0 {
				ts.Fatalf("%s: %d requests, %d with an Authorization header; want some, none", args[1], gs.requests, gs.withAuth)
			}
			return
		}
		if len(gs.accepted) <= gs.marked {
			ts.Fatalf("%s let in no new token (%d in all; last refusal: %s)", args[1], len(gs.accepted), gs.lastReject)
		}
		gs.marked = len(gs.accepted)
	default:
		ts.Fatalf("gitserver: unknown subcommand %q", args[0])
	}
}
