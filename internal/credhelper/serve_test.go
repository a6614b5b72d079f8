package credhelper

import (
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authwrap/authwrap/flow"
	"github.com/authwrap/authwrap/helper"
)

// oneSession is a Store holding one fresh session.
type oneSession struct {
	mu sync.Mutex
	s  *helper.Session
}

func (o *oneSession) Load(string) (*helper.Session, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	cp := *o.s
	return &cp, nil
}
func (o *oneSession) Save(s *helper.Session) error { o.mu.Lock(); o.s = s; o.mu.Unlock(); return nil }
func (o *oneSession) Delete(string) error          { return nil }

// TestServeTokensUnderSiege: another local user holding thousands of
// idle connections to exec --serve's endpoint (and more that sent a
// request without the secret) does not keep the command's own request
// from an answer, and the endpoint does not keep them all open.
func TestServeTokensUnderSiege(t *testing.T) {
	p := helper.Profile{Name: "default", ClientID: "client_t", APIURL: "http://127.0.0.1:1"}
	store := &oneSession{s: &helper.Session{Profile: "default", Server: p.Server(), ClientID: p.ClientID,
		AccessToken: flow.Secret("at_fresh"), Expiry: time.Now().Add(time.Hour)}}
	m := &helper.Manager{Profile: p, Store: store, LockDir: t.TempDir()}
	srv, err := ServeTokens(m, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	addr := strings.TrimSuffix(strings.TrimPrefix(srv.URL, "http://"), "/token")

	const idle = 3000
	var held []net.Conn
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	for i := range idle {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatalf("attacker connection %d: %v", i, err)
		}
		if i%10 == 0 {
			// Some send a request without the secret, then sit there.
			_, _ = io.WriteString(c, "GET /token HTTP/1.1\r\nHost: "+addr+"\r\n\r\n")
		} else if i%10 == 1 {
			_, _ = io.WriteString(c, "GET /token HTTP/1.1\r\n") // half a request head
		}
		held = append(held, c)
	}

	// The command's own request, with a deadline: the endpoint answers it
	// while every attacker connection is still held open on their side.
	client := &http.Client{Timeout: 5 * time.Second}
	start := time.Now()
	for range 3 {
		req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
		req.Header.Set("Authorization", srv.Auth)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("the command's request under siege: %v", err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(body) != "at_fresh\n" {
			t.Fatalf("answer %d %q", resp.StatusCode, body)
		}
	}
	// A figure for the record (not asserted): three requests under siege.
	t.Logf("3 requests answered in %s with %d attacker connections held", time.Since(start).Round(time.Millisecond), idle)
	// Once the endpoint has taken every connection from the system's
	// queue, it holds no more than its cap.
	for start := time.Now(); ; time.Sleep(10 * time.Millisecond) {
		srv.mu.Lock()
		accepted, open := srv.accepted, len(srv.conns)
		srv.mu.Unlock()
		if accepted >= idle+1 {
			if open > 33 {
				t.Errorf("the endpoint keeps %d connections open, want at most 33", open)
			}
			break
		}
		if time.Since(start) > 20*time.Second {
			t.Fatalf("only %d of %d connections accepted", accepted, idle+1)
		}
	}
}
