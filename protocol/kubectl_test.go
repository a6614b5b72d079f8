package protocol

import (
	"bytes"
	"errors"
	"testing"
	"time"
)

func TestParseExecInfo(t *testing.T) {
	cases := []struct {
		in          string
		version     string
		interactive bool
		bad         bool
	}{
		{`{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","spec":{"interactive":true}}`, ExecCredentialV1, true, false},
		{`{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","spec":{"interactive":false,"cluster":{"server":"https://k"}}}`, ExecCredentialV1beta1, false, false},
		{``, ExecCredentialV1, false, false},
		{`{"apiVersion":"client.authentication.k8s.io/v1alpha1"}`, "", false, true},
		{`{"apiVersion":"client.authentication.k8s.io/v1","kind":"Pod"}`, "", false, true},
		{`{not json`, "", false, true},
	}
	for _, tc := range cases {
		info, err := ParseExecInfo(tc.in)
		if tc.bad {
			if !errors.Is(err, ErrExecInfo) {
				t.Errorf("%q: err = %v, want ErrExecInfo", tc.in, err)
			}
			continue
		}
		if err != nil || info.APIVersion != tc.version || info.Interactive != tc.interactive {
			t.Errorf("%q: %+v, %v", tc.in, info, err)
		}
	}
	c := NewExecCredential(ExecInfo{APIVersion: ExecCredentialV1beta1}, "tok", time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 3600)))
	var b bytes.Buffer
	if err := WriteExecCredential(&b, c); err != nil {
		t.Fatal(err)
	}
	want := `{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"tok","expirationTimestamp":"2026-01-02T02:04:05Z"}}` + "\n"
	if b.String() != want {
		t.Errorf("got %s\nwant %s", b.String(), want)
	}
}

// FuzzParseExecInfo: any KUBERNETES_EXEC_INFO is parsed or refused with
// ErrExecInfo, never a crash.
func FuzzParseExecInfo(f *testing.F) {
	f.Add(`{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","spec":{"interactive":true}}`)
	f.Add(`{"apiVersion":null,"spec":[]}`)
	f.Fuzz(func(t *testing.T, in string) {
		info, err := ParseExecInfo(in)
		if err != nil && !errors.Is(err, ErrExecInfo) {
			t.Fatalf("error not ErrExecInfo: %v", err)
		}
		if err == nil && info.APIVersion != ExecCredentialV1 && info.APIVersion != ExecCredentialV1beta1 {
			t.Fatalf("accepted apiVersion %q", info.APIVersion)
		}
	})
}
