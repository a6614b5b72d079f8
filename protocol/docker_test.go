package protocol

import (
	"bytes"
	"strings"
	"testing"

	"github.com/docker/docker-credential-helpers/credentials"
)

// memHelper is a docker credential helper in memory.
type memHelper map[string]*credentials.Credentials

func (m memHelper) Add(c *credentials.Credentials) error { m[c.ServerURL] = c; return nil }
func (m memHelper) Delete(u string) error {
	if _, ok := m[u]; !ok {
		return credentials.NewErrCredentialsNotFound()
	}
	delete(m, u)
	return nil
}
func (m memHelper) Get(u string) (string, string, error) {
	c, ok := m[u]
	if !ok {
		return "", "", credentials.NewErrCredentialsNotFound()
	}
	return c.Username, c.Secret, nil
}
func (m memHelper) List() (map[string]string, error) {
	out := map[string]string{}
	for k, c := range m {
		out[k] = c.Username
	}
	return out, nil
}

func TestServeDocker(t *testing.T) {
	h := memHelper{}
	cases := []struct{ action, in, out, err string }{
		{"store", `{"ServerURL":"reg.example.com","Username":"u","Secret":"s"}`, "", ""},
		{"get", "  reg.example.com \n", `{"ServerURL":"reg.example.com","Username":"u","Secret":"s"}` + "\n", ""},
		{"list", "unused", `{"reg.example.com":"u"}` + "\n", ""},
		{"get", "other.example.com", "", "credentials not found in native keychain"},
		{"get", "   ", "", "no credentials server URL"},
		{"store", `{"ServerURL":"","Username":"u"}`, "", "no credentials server URL"},
		{"store", `{"ServerURL":"r","Username":""}`, "", "no credentials username"},
		{"store", `{not json`, "", "invalid character"},
		{"erase", "reg.example.com", "", ""},
		{"frobnicate", "", "", "unknown action"},
	}
	for _, tc := range cases {
		var out bytes.Buffer
		err := ServeDocker(h, tc.action, strings.NewReader(tc.in), &out)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s %q: err = %v, want %q", tc.action, tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || out.String() != tc.out {
			t.Errorf("%s %q: %v, wrote %q, want %q", tc.action, tc.in, err, out.String(), tc.out)
		}
	}
	var out bytes.Buffer
	WriteDockerError(&out, credentials.NewErrCredentialsNotFound())
	if out.String() != "credentials not found in native keychain\n" {
		t.Errorf("not-found message = %q", out.String())
	}
}

// FuzzServeDocker: any stdin for any action is an answer or an error,
// never a crash, and input beyond MaxDockerInput is not read.
func FuzzServeDocker(f *testing.F) {
	f.Add("store", `{"ServerURL":"https://index.docker.io/v1/","Username":"<token>","Secret":"x"}`)
	f.Add("get", "registry.example.com:5000\n")
	f.Add("erase", "https://ghcr.io")
	f.Add("store", `{"ServerURL":1,"Username":[]}`)
	f.Add("list", "")
	f.Fuzz(func(t *testing.T, action, in string) {
		h := memHelper{}
		var out bytes.Buffer
		err := ServeDocker(h, action, strings.NewReader(in), &out)
		if err != nil && out.Len() != 0 && action != "version" {
			t.Fatalf("%s wrote %q and failed: %v", action, out.String(), err)
		}
		if err == nil && action == "get" && out.Len() == 0 {
			t.Fatalf("get succeeded without an answer")
		}
	})
}
