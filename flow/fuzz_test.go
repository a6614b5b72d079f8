package flow

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

// FuzzTokenResponse: any JSON body of a 200 token answer becomes a token
// or an ErrBadResponse, never a crash; a token always has an access token
// and an expiry.
func FuzzTokenResponse(f *testing.F) {
	f.Add(`{"access_token":"` + testJWT + `","refresh_token":"r","user":{"id":"u","email":"e"},"organization_id":"o"}`)
	f.Add(`{"access_token":"opaque","token_type":"Bearer","expires_in":3600.5}`)
	f.Add(`{"access_token":"x","expires_in":"60"}`)
	f.Add(`{"access_token":"x","expires_in":-5}`)
	f.Add(`{"access_token":1}`)
	f.Add(`<html>login</html>`)
	f.Fuzz(func(t *testing.T, body string) {
		var r tokenResponse
		if err := decodeJSON([]byte(body), &r); err != nil {
			if !errors.Is(err, ErrBadResponse) {
				t.Fatalf("decode error not ErrBadResponse: %v", err)
			}
			return
		}
		tok, err := r.token(time.Now())
		if err != nil {
			if !errors.Is(err, ErrBadResponse) {
				t.Fatalf("token error not ErrBadResponse: %v", err)
			}
			return
		}
		if tok.AccessToken.IsZero() || tok.Expiry.IsZero() {
			t.Fatalf("token without access token or expiry: %+v", tok)
		}
	})
}

// FuzzDeviceResponse: any device authorization answer is accepted with
// a code, a URL, a positive interval and a future expiry, or refused.
func FuzzDeviceResponse(f *testing.F) {
	f.Add(`{"device_code":"d","user_code":"BCDF-GHJK","verification_uri":"https://a/device","expires_in":300.0,"interval":5}`)
	f.Add(`{"device_code":"d","user_code":"x","verification_url":"https://a/d","expires_in":"0","interval":"-1"}`)
	f.Add(`{"device_code":"d","user_code":"x","verification_uri":"https://a/d","expires_in":1e308,"interval":1e308}`)
	f.Fuzz(func(t *testing.T, body string) {
		c, _ := scripted(t, answer{status: 200, body: body})
		d, err := c.Start(t.Context())
		if err != nil {
			return
		}
		if d.DeviceCode.IsZero() || d.UserCode == "" || d.VerificationURI == "" || d.Interval <= 0 {
			t.Fatalf("accepted an incomplete answer: %+v", d)
		}
	})
}

// FuzzErrorBody: any error answer becomes an *Error with the status.
func FuzzErrorBody(f *testing.F) {
	f.Add(400, `{"error":"authorization_pending"}`, "")
	f.Add(403, `{"code":"organization_selection_required","message":"pick"}`, "")
	f.Add(429, `{"code":"rate_limit_exceeded"}`, "Wed, 21 Oct 2015 07:28:00 GMT")
	f.Add(503, `<html>`, "99999999999")
	f.Fuzz(func(t *testing.T, status int, body, retry string) {
		if status < 300 || status > 599 {
			return
		}
		resp := &http.Response{StatusCode: status, Header: http.Header{"Retry-After": {retry}}}
		err := parseError(resp, []byte(body), "https://x/token", nil)
		var fe *Error
		if !errors.As(err, &fe) || fe.StatusCode != status || fe.RetryAfter < 0 || fe.RetryAfter > time.Hour {
			t.Fatalf("parseError = %#v", err)
		}
		if len(fe.Description) > 310 {
			t.Fatalf("description not cut: %d bytes", len(fe.Description))
		}
		_ = err.Error()
	})
}

// FuzzParseClaims: any string is a set of claims or an error, never a
// crash, and never accepted when it is not three dot-separated parts.
func FuzzParseClaims(f *testing.F) {
	f.Add(testJWT)
	f.Add("eyJhbGciOiJub25lIn0.e30.")
	f.Add("a.b.c")
	f.Fuzz(func(t *testing.T, tok string) {
		c, err := ParseClaims(tok)
		if err == nil && strings.Count(tok, ".") != 2 {
			t.Fatalf("accepted %q as a JWT", tok)
		}
		_, _ = json.Marshal(c)
	})
}
