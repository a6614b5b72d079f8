// Package httplog logs the requests a program sends to the authorization
// server, one line each, with every secret masked (--verbose). It never
// logs a body field it does not know.
package httplog

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/authwrap/authwrap/internal/safetext"
)

// Transport logs each request to the authorization server, one
// line per request: method, URL, the form's grant_type and client_id,
// the status and the time taken. It never logs a body's secrets
// (device_code, refresh_token, pending_authentication_token,
// client_secret), an Authorization header's credentials, or any answer
// body.
type Transport struct {
	// Base sends the requests; http.DefaultTransport when nil.
	Base http.RoundTripper
	// Log receives each line.
	Log func(line string)
}

// RoundTrip implements http.RoundTripper.
func (v *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := v.Base
	if base == nil {
		base = http.DefaultTransport
	}
	var fields []string
	if req.Body != nil && strings.HasPrefix(req.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		// The whole body, put back as it was: a form is small, and a
		// limit here would cut the request.
		body, err := io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, err
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		form, _ := url.ParseQuery(string(body))
		for _, k := range []string{"grant_type", "client_id", "organization_id"} {
			if v := form.Get(k); v != "" {
				fields = append(fields, k+"="+safetext.Inert(v))
			}
		}
		for _, k := range []string{"device_code", "refresh_token", "pending_authentication_token", "client_secret"} {
			if form.Has(k) {
				fields = append(fields, k+"=[redacted]")
			}
		}
	}
	if scheme, _, ok := strings.Cut(req.Header.Get("Authorization"), " "); ok {
		// A confidential client's Basic credentials (its secret) or a
		// bearer token: the scheme only.
		fields = append(fields, "authorization="+safetext.Inert(scheme)+" [redacted]")
	} else if req.Header.Get("Authorization") != "" {
		fields = append(fields, "authorization=[redacted]")
	}
	start := time.Now()
	resp, err := base.RoundTrip(req)
	took := time.Since(start).Round(time.Millisecond)
	u := *req.URL
	u.RawQuery, u.User = "", nil
	line := fmt.Sprintf("%s %s %s", req.Method, safetext.Inert(u.String()), strings.Join(fields, " "))
	if err != nil {
		v.Log(fmt.Sprintf("%s: failed after %s: %s", strings.TrimSpace(line), took, safetext.Line(err.Error())))
		return nil, err
	}
	// The status line's reason phrase is the server's text.
	v.Log(fmt.Sprintf("%s: %s in %s", strings.TrimSpace(line), safetext.Inert(resp.Status), took))
	return resp, nil
}
