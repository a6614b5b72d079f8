package httplog

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// TestSecretsMasked: a client-credentials request, with its secret in the
// form (client_secret_post) or in a Basic Authorization header
// (client_secret_basic), is logged with the secret's name and never its
// value, nor the encoded credentials.
func TestSecretsMasked(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	const secret = "sk+m2m/S3cr%t"
	var lines []string
	c := &http.Client{Transport: &Transport{Log: func(l string) { lines = append(lines, l) }}}
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {"client_1"}, "client_secret": {secret}}
	if _, err := c.PostForm(srv.URL, form); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader("grant_type=client_credentials"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("client_1", secret)
	if _, err := c.Do(req); err != nil {
		t.Fatal(err)
	}
	basic := req.Header.Get("Authorization")
	logged := strings.Join(lines, "\n")
	for _, want := range []string{"grant_type=client_credentials", "client_id=client_1", "client_secret=[redacted]", "authorization=Basic [redacted]"} {
		if !strings.Contains(logged, want) {
			t.Errorf("logged no %q:\n%s", want, logged)
		}
	}
	for _, leak := range []string{secret, url.QueryEscape(secret), strings.TrimPrefix(basic, "Basic ")} {
		if strings.Contains(logged, leak) {
			t.Errorf("logged the secret (%.4s…):\n%s", leak, logged)
		}
	}
}
