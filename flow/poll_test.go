package flow

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

// answer is one scripted HTTP answer.
type answer struct {
	status     int
	body       string
	retryAfter string
	drop       bool
}

func pending() answer  { return answer{400, `{"error":"authorization_pending"}`, "", false} }
func slowDown() answer { return answer{400, `{"error":"slow_down"}`, "", false} }
func fail(status int, body string) answer {
	return answer{status: status, body: body}
}

// testJWT is an unsigned-looking but well-formed RS256 JWT whose exp is far
// in the future (4102444800 = 2100-01-01).
const testJWT = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9." +
	"eyJzdWIiOiJ1c2VyXzEiLCJzaWQiOiJzZXNzaW9uXzEiLCJvcmdfaWQiOiJvcmdfMSIsImV4cCI6NDEwMjQ0NDgwMCwiaWF0IjoxNzAwMDAwMDAwfQ." +
	"c2lnbmF0dXJl"

func okToken() answer {
	return answer{200, `{"access_token":"` + testJWT + `","refresh_token":"rt_1","user":{"id":"user_1","email":"a@b.c"},"organization_id":"org_1"}`, "", false}
}

// scripted serves the answers in order to the token endpoint and counts
// the requests; the last answer repeats.
func scripted(t *testing.T, answers ...answer) (*Client, *int) {
	t.Helper()
	var mu sync.Mutex
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		a := answers[min(n, len(answers)-1)]
		n++
		mu.Unlock()
		if a.drop {
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
			return
		}
		if a.retryAfter != "" {
			w.Header().Set("Retry-After", a.retryAfter)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(a.status)
		fmt.Fprint(w, a.body)
	}))
	t.Cleanup(srv.Close)
	p, err := WorkOS(srv.URL, "client_test")
	if err != nil {
		t.Fatal(err)
	}
	return &Client{Provider: p, ClientID: "client_test"}, &n
}

// recordWaits makes c's waits instant and records them.
func recordWaits(c *Client) *[]time.Duration {
	var waits []time.Duration
	c.sleep = func(ctx context.Context, d time.Duration) error {
		waits = append(waits, d)
		return ctx.Err()
	}
	return &waits
}

func device(interval, life time.Duration) *DeviceAuth {
	return &DeviceAuth{DeviceCode: "dc", UserCode: "ABCD-EFGH", VerificationURI: "https://x/device",
		Interval: interval, Expiry: time.Now().Add(life)}
}

// TestPollTable covers each row of RFC 8628 section 3.5's polling table:
// what the client waits before each poll, and how it ends.
func TestPollTable(t *testing.T) {
	s := time.Second
	cases := []struct {
		name    string
		answers []answer
		waits   []time.Duration // exact waits, or nil to skip the check
		wantErr error
		polls   int
	}{
		{"pending then token", []answer{pending(), pending(), okToken()}, []time.Duration{5 * s, 5 * s, 5 * s}, nil, 3},
		{"slow_down adds 5s for good", []answer{pending(), slowDown(), pending(), slowDown(), okToken()},
			[]time.Duration{5 * s, 5 * s, 10 * s, 10 * s, 15 * s}, nil, 5},
		{"access_denied stops", []answer{pending(), fail(400, `{"error":"access_denied"}`)}, nil, ErrAccessDenied, 2},
		{"expired_token stops", []answer{fail(400, `{"error":"expired_token"}`)}, nil, ErrExpiredToken, 1},
		{"invalid_grant on a lapsed code stops as expired", []answer{fail(400, `{"error":"invalid_grant"}`)}, nil, ErrExpiredToken, 1},
		{"invalid_client stops", []answer{fail(400, `{"error":"invalid_client"}`)}, nil, ErrInvalidClient, 1},
		{"unknown error stops", []answer{fail(400, `{"error":"invalid_request","error_description":"bad"}`)}, nil, nil, 1},
		{"code/message body stops", []answer{fail(403, `{"code":"organization_selection_required","message":"pick one"}`)}, nil, nil, 1},
		{"503 then token", []answer{fail(503, `oops`), okToken()}, nil, nil, 2},
		{"500 502 then token", []answer{fail(500, ``), fail(502, `<html>bad gateway</html>`), okToken()}, nil, nil, 3},
		{"408 then token", []answer{fail(408, ``), okToken()}, nil, nil, 2},
		{"429 Retry-After is honoured", []answer{{429, `{"code":"rate_limit_exceeded"}`, "12", false}, okToken()},
			[]time.Duration{5 * s, 12 * s}, nil, 2},
		{"dropped connection then token", []answer{{drop: true}, okToken()}, nil, nil, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, n := scripted(t, tc.answers...)
			waits := recordWaits(c)
			tok, err := c.Poll(context.Background(), device(5*s, time.Hour))
			if *n != tc.polls {
				t.Errorf("polls = %d, want %d", *n, tc.polls)
			}
			if tc.waits != nil && fmt.Sprint(*waits) != fmt.Sprint(tc.waits) {
				t.Errorf("waits = %v, want %v", *waits, tc.waits)
			}
			wantOK := tc.answers[len(tc.answers)-1].status == 200
			switch {
			case wantOK && err != nil:
				t.Fatalf("Poll: %v", err)
			case wantOK:
				if tok.AccessToken.Reveal() != testJWT {
					t.Errorf("wrong access token")
				}
			case err == nil:
				t.Fatal("Poll succeeded, want an error")
			case tc.wantErr != nil && !errors.Is(err, tc.wantErr):
				t.Errorf("err = %v, want %v", err, tc.wantErr)
			}
			if !wantOK {
				var re *oauth2.RetrieveError
				if !errors.As(err, &re) || re.ErrorCode == "" {
					t.Errorf("err %v: no *oauth2.RetrieveError with a code", err)
				}
			}
		})
	}
}

// TestPollBackoffDoubles checks that repeated transient failures double the
// wait from the interval up to MaxBackoff, and that a success resets it.
func TestPollBackoffDoubles(t *testing.T) {
	var as []answer
	for range 7 {
		as = append(as, fail(503, ""))
	}
	c, _ := scripted(t, append(as, pending(), okToken())...)
	waits := recordWaits(c)
	if _, err := c.Poll(context.Background(), device(5*time.Second, time.Hour)); err != nil {
		t.Fatal(err)
	}
	w := *waits
	if w[0] != 5*time.Second || w[len(w)-1] != 5*time.Second {
		t.Errorf("first and last waits = %v, %v; want the interval", w[0], w[len(w)-1])
	}
	for i := 2; i < 8; i++ {
		if w[i] < w[i-1] || w[i] > MaxBackoff {
			t.Errorf("wait %d = %v after %v: not growing within %v", i, w[i], w[i-1], MaxBackoff)
		}
	}
	if w[7] != MaxBackoff {
		t.Errorf("after 6 failures the wait is %v, want the cap %v", w[7], MaxBackoff)
	}
}

// TestPollStopsAtExpiry checks that the client never polls past expires_in.
func TestPollStopsAtExpiry(t *testing.T) {
	c, n := scripted(t, pending())
	now := time.Now()
	c.now = func() time.Time { return now }
	c.sleep = func(ctx context.Context, d time.Duration) error { now = now.Add(d); return nil }
	_, err := c.Poll(context.Background(), &DeviceAuth{DeviceCode: "dc", Interval: 5 * time.Second, Expiry: now.Add(22 * time.Second)})
	if !errors.Is(err, ErrExpiredToken) {
		t.Fatalf("err = %v, want ErrExpiredToken", err)
	}
	if *n != 4 {
		t.Errorf("polls = %d, want 4 (at 5, 10, 15, 20 s of a 22 s code)", *n)
	}
}

// TestPollCancel checks that cancelling the context ends Poll at once.
func TestPollCancel(t *testing.T) {
	c, _ := scripted(t, pending())
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(50 * time.Millisecond); cancel() }()
	// The interval is an hour: only the cancellation can end this wait.
	_, err := c.Poll(ctx, device(time.Hour, 2*time.Hour))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

// TestStartTolerance feeds Start the variants real servers send.
func TestStartTolerance(t *testing.T) {
	cases := []struct {
		name, body   string
		wantInterval time.Duration
		wantLife     time.Duration
		wantComplete string
	}{
		{"floats", `{"device_code":"d","user_code":"BCDF-GHJK","verification_uri":"https://a/device","verification_uri_complete":"https://a/device?user_code=BCDF-GHJK","expires_in":300.0,"interval":5.0}`,
			5 * time.Second, 300 * time.Second, "https://a/device?user_code=BCDF-GHJK"},
		{"no complete, unhyphenated, 900 s, no interval", `{"device_code":"d","user_code":"BCDFGHJK","verification_uri":"https://a/device","expires_in":900}`,
			5 * time.Second, 900 * time.Second, ""},
		{"numbers as strings, old verification_url", `{"device_code":"d","user_code":"x","verification_url":"https://a/d","expires_in":"600","interval":"2"}`,
			2 * time.Second, 600 * time.Second, ""},
		{"no expires_in", `{"device_code":"d","user_code":"x","verification_uri":"https://a/d"}`,
			5 * time.Second, DefaultCodeLifetime, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := scripted(t, answer{status: 200, body: tc.body})
			d, err := c.Start(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if d.Interval != tc.wantInterval {
				t.Errorf("interval = %v, want %v", d.Interval, tc.wantInterval)
			}
			if life := time.Until(d.Expiry); life > tc.wantLife || life < tc.wantLife-5*time.Second {
				t.Errorf("lifetime = %v, want %v", life, tc.wantLife)
			}
			if d.VerificationURIComplete != tc.wantComplete {
				t.Errorf("complete = %q", d.VerificationURIComplete)
			}
			if d.BrowserURL() == "" {
				t.Error("no URL to open")
			}
		})
	}
}

// TestBadAnswers checks that malformed answers are clear errors.
func TestBadAnswers(t *testing.T) {
	big := `{"device_code":"` + strings.Repeat("x", DefaultMaxResponseBytes) + `"}`
	cases := []struct{ name, body, want string }{
		{"html", `<!doctype html><p>login</p>`, "HTML"},
		{"too large", big, "larger than"},
		{"wrong types", `{"device_code":1,"user_code":2}`, "unexpected response"},
		{"missing fields", `{"device_code":"d"}`, "missing"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := scripted(t, answer{status: 200, body: tc.body})
			_, err := c.Start(context.Background())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tc.want)
			}
			if !errors.Is(err, ErrBadResponse) {
				t.Errorf("err is not ErrBadResponse")
			}
		})
	}
}

func TestTokenAnswers(t *testing.T) {
	cases := []struct{ name, body, want string }{
		{"no access token", `{"refresh_token":"r"}`, "no access_token"},
		{"opaque token without expires_in", `{"access_token":"opaque"}`, "neither expires_in"},
		{"not bearer", `{"access_token":"x","token_type":"mac","expires_in":60}`, "not Bearer"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := scripted(t, answer{status: 200, body: tc.body})
			_, err := c.Refresh(context.Background(), "rt", RefreshOptions{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
	c, _ := scripted(t, answer{status: 200, body: `{"access_token":"opaque","expires_in":60.5,"token_type":"bearer"}`})
	tok, err := c.Refresh(context.Background(), "rt", RefreshOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Until(tok.Expiry); d < 59*time.Second || d > 61*time.Second {
		t.Errorf("expiry in %v, want about 60.5 s", d)
	}
	if tok.RefreshToken.Reveal() != "rt" {
		t.Error("a server that does not rotate must leave the old refresh token in place")
	}
}

func TestRetryAfterParsing(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Duration{
		"":                              0,
		"3":                             3 * time.Second,
		"1.5":                           1500 * time.Millisecond,
		"-4":                            0,
		"junk":                          0,
		"99999999":                      time.Hour,
		"Thu, 01 Jan 2026 00:00:30 GMT": 30 * time.Second,
	} {
		if got := retryAfter(in, now); got != want {
			t.Errorf("retryAfter(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestInsecureURLs(t *testing.T) {
	for _, u := range []string{"http://api.example.com", "ftp://x", "javascript:alert(1)", "file:///etc/passwd", "https://"} {
		if _, err := WorkOS(u, "c"); !errors.Is(err, ErrInsecureURL) {
			t.Errorf("WorkOS(%q) err = %v, want ErrInsecureURL", u, err)
		}
	}
	for _, u := range []string{"https://api.workos.com", "http://127.0.0.1:8787", "http://localhost:1", "http://[::1]:2"} {
		if err := CheckURL(u); err != nil {
			t.Errorf("CheckURL(%q) = %v", u, err)
		}
	}
}

func TestSecretRedacts(t *testing.T) {
	tok := &Token{AccessToken: "at_SECRET_VALUE", RefreshToken: "rt_SECRET_VALUE"}
	d := &DeviceAuth{DeviceCode: "dc_SECRET_VALUE"}
	for _, f := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		out := fmt.Sprintf(f+" "+f, tok, d)
		if strings.Contains(out, "SECRET") || strings.Contains(out, "5345435245") {
			t.Errorf("%s leaks: %s", f, out)
		}
	}
	if got := Secret("0123456789abcdefghijklmnopqrstuv").Masked(); got != "****…stuv (32 chars)" {
		t.Errorf("Masked = %q", got)
	}
}

func TestParseClaims(t *testing.T) {
	c, err := ParseClaims(testJWT)
	if err != nil {
		t.Fatal(err)
	}
	if c.Subject != "user_1" || c.SessionID != "session_1" || c.OrganizationID != "org_1" || c.ExpiresAt.Unix() != 4102444800 {
		t.Errorf("claims = %+v", c)
	}
	for _, bad := range []string{"", "a.b", "not a jwt", "a.b.c.d", "eyJhbGciOiJub25lIn0.e30."} {
		if _, err := ParseClaims(bad); err == nil {
			t.Errorf("ParseClaims(%q) succeeded", bad)
		}
	}
}

// TestHostileTiming: an interval of 0 means RFC 8628's 5 s; an interval
// longer than the code's life ends at the code's expiry without a poll;
// an expires_in of 0 or less is replaced by the default lifetime.
func TestHostileTiming(t *testing.T) {
	t.Run("interval 0", func(t *testing.T) {
		c, _ := scripted(t, answer{status: 200, body: `{"device_code":"d","user_code":"u","verification_uri":"https://a/d","expires_in":300,"interval":0}`})
		d, err := c.Start(context.Background())
		if err != nil || d.Interval != DefaultInterval {
			t.Fatalf("interval = %v, %v; want %v", d.Interval, err, DefaultInterval)
		}
	})
	t.Run("interval 10000", func(t *testing.T) {
		c, n := scripted(t, pending())
		now := time.Now()
		c.now = func() time.Time { return now }
		var waited time.Duration
		c.sleep = func(ctx context.Context, d time.Duration) error { waited += d; now = now.Add(d); return nil }
		_, err := c.Poll(context.Background(), &DeviceAuth{DeviceCode: "d", Interval: 10000 * time.Second, Expiry: now.Add(300 * time.Second)})
		if !errors.Is(err, ErrExpiredToken) || *n != 0 || waited > 300*time.Second {
			t.Fatalf("err = %v after %d polls and %v; want ErrExpiredToken, 0 polls, at most the 300 s lifetime", err, *n, waited)
		}
	})
	for _, exp := range []string{"0", "-30"} {
		t.Run("expires_in "+exp, func(t *testing.T) {
			c, _ := scripted(t, answer{status: 200, body: `{"device_code":"d","user_code":"u","verification_uri":"https://a/d","expires_in":` + exp + `}`})
			d, err := c.Start(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if life := time.Until(d.Expiry); life < DefaultCodeLifetime-5*time.Second || life > DefaultCodeLifetime {
				t.Errorf("lifetime = %v, want the default %v", life, DefaultCodeLifetime)
			}
		})
	}
}

// TestServerEchoIsMasked: a server that echoes the refresh token or the
// device code in an error answer cannot get it into a message or a log.
func TestServerEchoIsMasked(t *testing.T) {
	const rt = "rt_SECRET_REFRESH_TOKEN_VALUE"
	c, _ := scripted(t, fail(400, `{"error":"invalid_grant `+rt+`","error_description":"token `+rt+` already used"}`))
	_, err := c.Refresh(context.Background(), rt, RefreshOptions{})
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		t.Fatalf("err = %v", err)
	}
	for _, text := range []string{err.Error(), re.Error(), string(re.Body), re.ErrorDescription} {
		if strings.Contains(text, "SECRET") {
			t.Errorf("the refresh token reached the error: %q", text)
		}
	}
	c, _ = scripted(t, fail(400, `{"code":"bad","message":"device code dc_SECRET_DEVICE_CODE is unknown"}`))
	_, err = c.Poll(context.Background(), &DeviceAuth{DeviceCode: "dc_SECRET_DEVICE_CODE", Interval: time.Nanosecond, Expiry: time.Now().Add(time.Minute)})
	if err == nil || strings.Contains(err.Error(), "SECRET") {
		t.Errorf("the device code reached the error: %v", err)
	}
}
