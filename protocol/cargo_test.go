package protocol

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

func TestCargoExchange(t *testing.T) {
	var out bytes.Buffer
	if err := WriteCargoHello(&out); err != nil || out.String() != "{\"v\":[1]}\n" {
		t.Fatalf("hello %q %v", out.String(), err)
	}
	in := `{"v":1,"registry":{"index-url":"sparse+https://reg.example/index/","name":"corp","headers":["WWW-Authenticate: Cargo login_url=\"x\""]},"kind":"get","operation":"read","args":["--bearer"]}` + "\n\n" +
		`{"v":1,"registry":{"index-url":"sparse+https://reg.example/index/"},"kind":"login","token":"pasted"}` + "\n"
	r := NewCargoReader(strings.NewReader(in))
	req, err := r.Next()
	if err != nil || req.Kind != "get" || req.Operation != "read" || req.Registry.Name != "corp" ||
		CargoIndexURL(req.Registry.IndexURL) != "https://reg.example/index/" || len(req.Args) != 1 {
		t.Fatalf("first request %+v, %v", req, err)
	}
	if req, err = r.Next(); err != nil || req.Kind != "login" || req.Token != "pasted" {
		t.Fatalf("second request %+v, %v", req, err)
	}
	if _, err := r.Next(); err != io.EOF {
		t.Fatalf("after the last: %v", err)
	}

	out.Reset()
	exp := time.Unix(1900000000, 0)
	if err := WriteCargoToken(&out, CargoToken{Token: "Bearer abc", Expires: exp}); err != nil {
		t.Fatal(err)
	}
	var ans struct {
		Ok struct {
			Kind                 string `json:"kind"`
			Token                string `json:"token"`
			Cache                string `json:"cache"`
			Expiration           int64  `json:"expiration"`
			OperationIndependent bool   `json:"operation_independent"`
		}
	}
	if err := json.Unmarshal(out.Bytes(), &ans); err != nil || ans.Ok.Kind != "get" || ans.Ok.Token != "Bearer abc" ||
		ans.Ok.Cache != "expires" || ans.Ok.Expiration != 1900000000 || !ans.Ok.OperationIndependent || strings.Count(out.String(), "\n") != 1 {
		t.Errorf("get answer %s (%v)", out.String(), err)
	}
	out.Reset()
	_ = WriteCargoError(&out, CargoURLNotSupported, "ignored")
	_ = WriteCargoError(&out, CargoOther, "not signed in\nrun `authwrap login`")
	if got := out.String(); got != `{"Err":{"kind":"url-not-supported"}}`+"\n"+`{"Err":{"kind":"other","message":"not signed in\nrun `+"`authwrap login`"+`"}}`+"\n" {
		t.Errorf("errors %q", got)
	}
}

// A message cargo will print carries no escape sequence a server put in
// it: the terminal gets it inert.
func TestCargoErrorIsInert(t *testing.T) {
	var out bytes.Buffer
	if err := WriteCargoError(&out, CargoOther, "refused: \x1b]52;c;cm0gLXJmIH4K\x07\x1b[2Jdone\u202e"); err != nil {
		t.Fatal(err)
	}
	var ans struct{ Err struct{ Message string } }
	if err := json.Unmarshal(out.Bytes(), &ans); err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(ans.Err.Message, "\x1b\x07\u202e") || !strings.HasPrefix(ans.Err.Message, "refused: ") {
		t.Errorf("message as cargo prints it: %q", ans.Err.Message)
	}
}

func TestCargoBadRequests(t *testing.T) {
	for _, in := range []string{
		"not json\n",
		`{"v":2,"registry":{"index-url":"x"},"kind":"get"}` + "\n",
		`{"v":1,"registry":{"index-url":"x"},"kind":"steal"}` + "\n",
		`{"v":1,"kind":"get"}` + "\n",
		strings.Repeat("x", MaxCargoLine+10) + "\n",
	} {
		if _, err := NewCargoReader(strings.NewReader(in)).Next(); !errors.Is(err, ErrCargoProtocol) {
			t.Errorf("%.40q: %v", in, err)
		}
	}
}

func FuzzCargoRequest(f *testing.F) {
	f.Add(`{"v":1,"registry":{"index-url":"sparse+https://h/i/","name":"n","headers":["a: b"]},"kind":"get","operation":"read","args":[]}`)
	f.Add(`{"v":1,"registry":{"index-url":"x"},"kind":"logout"}`)
	f.Add("{}\n{\"v\":1}")
	f.Fuzz(func(t *testing.T, in string) {
		r := NewCargoReader(strings.NewReader(in))
		for range 10 {
			req, err := r.Next()
			if err != nil {
				if err != io.EOF && !errors.Is(err, ErrCargoProtocol) {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if req.V != CargoVersion || req.Registry.IndexURL == "" {
				t.Fatalf("accepted %+v", req)
			}
			var out bytes.Buffer
			if err := WriteCargoError(&out, CargoOther, req.Registry.IndexURL); err != nil || strings.Count(out.String(), "\n") != 1 {
				t.Fatalf("an answer of more than one line: %q", out.String())
			}
		}
	})
}
