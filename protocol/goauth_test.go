package protocol

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestWriteGoAuth(t *testing.T) {
	var out bytes.Buffer
	err := WriteGoAuth(&out, []GoAuthBlock{
		{URLs: []string{"https://a.example/", "https://b.example:8443/"}, Headers: []Secret{"Authorization: Bearer t1"}},
		{URLs: []string{"https://c.example/"}, Headers: []Secret{"Authorization: Bearer t2"}},
	})
	want := "https://a.example/\nhttps://b.example:8443/\n\nAuthorization: Bearer t1\n\nhttps://c.example/\n\nAuthorization: Bearer t2\n\n"
	if err != nil || out.String() != want {
		t.Fatalf("got %q, %v", out.String(), err)
	}
	for _, bad := range []GoAuthBlock{
		{URLs: []string{"http://a.example/"}, Headers: []Secret{"A: b"}},
		{URLs: []string{"https://a.example/\nhttps://evil/"}, Headers: []Secret{"A: b"}},
		{URLs: []string{"https://a.example/"}, Headers: []Secret{"Authorization: Bearer x\n\nhttps://evil/"}},
		{URLs: []string{"https://a.example/"}, Headers: []Secret{"no colon"}},
		{URLs: []string{"https://a.example/"}},
	} {
		out.Reset()
		if err := WriteGoAuth(&out, []GoAuthBlock{bad}); !errors.Is(err, ErrGoAuth) || out.Len() != 0 {
			t.Errorf("%+v: %v, wrote %q", bad, err, out.String())
		}
	}
}

func TestReadGoAuthResponse(t *testing.T) {
	in := "HTTP/1.1 401 Unauthorized\nContent-Length: 19\nWww-Authenticate: Bearer realm=\"x\"\n\n"
	r, err := ReadGoAuthResponse(strings.NewReader(in))
	if err != nil || r.Status != 401 || r.Header.Get("WWW-Authenticate") != `Bearer realm="x"` {
		t.Fatalf("%+v %v", r, err)
	}
	if r, err := ReadGoAuthResponse(strings.NewReader("HTTP/2.0 403 Forbidden\n")); err != nil || r.Status != 403 {
		t.Errorf("no headers: %+v %v", r, err)
	}
	for _, bad := range []string{"", "garbage\n", "HTTP/1.1 abc\n", "HTTP/1.1 9999 x\n"} {
		if _, err := ReadGoAuthResponse(strings.NewReader(bad)); !errors.Is(err, ErrGoAuth) {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func FuzzGoAuthResponse(f *testing.F) {
	f.Add("HTTP/1.1 401 Unauthorized\nA: b\n\n")
	f.Add("HTTP/1.0 404 x\r\n\r\n")
	f.Fuzz(func(t *testing.T, in string) {
		r, err := ReadGoAuthResponse(strings.NewReader(in))
		if err != nil {
			if !errors.Is(err, ErrGoAuth) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if r.Status < 100 || r.Status > 599 {
			t.Fatalf("status %d accepted", r.Status)
		}
	})
}
