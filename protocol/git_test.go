package protocol

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestReadGit(t *testing.T) {
	cases := []struct {
		name, in string
		check    func(*GitCredential) bool
		err      bool
	}{
		{"basic", "protocol=https\nhost=git.example.com\n\n", func(c *GitCredential) bool {
			return c.Protocol == "https" && c.Host == "git.example.com"
		}, false},
		{"EOF without blank line", "protocol=https\nhost=h", func(c *GitCredential) bool { return c.Host == "h" }, false},
		{"stops at blank line", "host=a\n\nhost=b\n", func(c *GitCredential) bool { return c.Host == "a" }, false},
		{"CRLF", "host=a\r\n\r\n", func(c *GitCredential) bool { return c.Host == "a" }, false},
		{"value with =", "password=a=b==\n", func(c *GitCredential) bool { return c.Password == "a=b==" }, false},
		{"multi values", "capability[]=authtype\ncapability[]=state\nwwwauth[]=Basic realm=x\n", func(c *GitCredential) bool {
			return c.HasCapability("authtype") && c.HasCapability("state") && len(c.Multi["wwwauth"]) == 1
		}, false},
		{"empty key[] clears", "wwwauth[]=a\nwwwauth[]=\nwwwauth[]=b\n", func(c *GitCredential) bool {
			return len(c.Multi["wwwauth"]) == 1 && c.Multi["wwwauth"][0] == "b"
		}, false},
		{"unknown keys kept", "frobnicate=1\nhost=h\n", func(c *GitCredential) bool { return c.Other["frobnicate"] == "1" && c.Host == "h" }, false},
		{"expiry", "password_expiry_utc=1700000000\n", func(c *GitCredential) bool { return c.PasswordExpiryUTC == 1700000000 }, false},
		{"booleans", "ephemeral=true\ncontinue=1\nquit=0\n", func(c *GitCredential) bool { return c.Ephemeral && c.Continue && !c.Quit }, false},
		{"later value wins", "host=a\nhost=b\n", func(c *GitCredential) bool { return c.Host == "b" }, false},
		{"empty input", "", func(c *GitCredential) bool { return c.Host == "" }, false},
		{"line without =", "protocol=https\nhost\n", nil, true},
		{"empty key", "=value\n", nil, true},
		{"NUL", "host=a\x00b\n", nil, true},
		{"bad expiry", "password_expiry_utc=soon\n", nil, true},
		{"over-long line", "host=" + strings.Repeat("a", MaxGitLine) + "\n", nil, true},
		{"too many lines", strings.Repeat("x=1\n", MaxGitLines+1), nil, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := ReadGit(strings.NewReader(tc.in))
			if tc.err {
				if !errors.Is(err, ErrGitSyntax) {
					t.Fatalf("err = %v, want ErrGitSyntax", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tc.check(c) {
				t.Errorf("got %+v", c)
			}
		})
	}
}

func TestWriteGit(t *testing.T) {
	c := &GitCredential{Username: "x-access-token", Password: "tok", PasswordExpiryUTC: 1700000000,
		Multi: map[string][]string{"capability": {"authtype"}}}
	var b bytes.Buffer
	if err := WriteGit(&b, c); err != nil {
		t.Fatal(err)
	}
	want := "capability[]=authtype\nusername=x-access-token\npassword=tok\npassword_expiry_utc=1700000000\n"
	if b.String() != want {
		t.Errorf("wrote %q, want %q", b.String(), want)
	}
	back, err := ReadGit(&b)
	if err != nil || back.Password != "tok" || back.PasswordExpiryUTC != 1700000000 || !back.HasCapability("authtype") {
		t.Errorf("round trip: %+v %v", back, err)
	}
	for _, bad := range []string{"a\nhost=evil.example.com", "a\rb", "a\x00b"} {
		b.Reset()
		if err := WriteGit(&b, &GitCredential{Password: Secret(bad)}); !errors.Is(err, ErrGitSyntax) || b.Len() != 0 {
			t.Errorf("WriteGit(%q) = %v, wrote %q; want ErrGitSyntax and nothing", bad, err, b.String())
		}
	}
}

func TestGitCapabilities(t *testing.T) {
	var b bytes.Buffer
	_ = GitCapabilities(&b, "authtype")
	if b.String() != "version 0\ncapability authtype\n" {
		t.Errorf("got %q", b.String())
	}
}

// FuzzReadGit: any input is either a message or ErrGitSyntax, never a
// crash or a hang, and what it reads writes back and reads the same.
func FuzzReadGit(f *testing.F) {
	f.Add("protocol=https\nhost=git.example.com\npath=a/b.git\n\n")
	f.Add("capability[]=authtype\nwwwauth[]=Bearer realm=\"x\"\nwwwauth[]=\n")
	f.Add("password_expiry_utc=99\nurl=https://u@h/p\nquit=1\n")
	f.Add("host\n")
	f.Add("=\x00\r\n")
	f.Fuzz(func(t *testing.T, in string) {
		c, err := ReadGit(strings.NewReader(in))
		if err != nil {
			if !errors.Is(err, ErrGitSyntax) {
				t.Fatalf("error not ErrGitSyntax: %v", err)
			}
			return
		}
		var b bytes.Buffer
		if err := WriteGit(&b, c); err != nil {
			return // values git could not have sent back (a lone CR) are refused
		}
		again, err := ReadGit(&b)
		if err != nil {
			t.Fatalf("re-reading what was written: %v\n%q", err, b.String())
		}
		if again.Host != c.Host || again.Password != c.Password || again.Protocol != c.Protocol {
			t.Fatalf("round trip changed the message: %+v vs %+v", again, c)
		}
	})
}

func TestTerraformTokenVar(t *testing.T) {
	for in, want := range map[string]string{
		"app.terraform.io":        "TF_TOKEN_app_terraform_io",
		"my-tfe.example-corp.com": "TF_TOKEN_my__tfe_example__corp_com",
		"TFE.Example.COM.":        "TF_TOKEN_tfe_example_com",
		"café.fr":                 "TF_TOKEN_xn____caf__dma_fr",
		"registry.opentofu.org":   "TF_TOKEN_registry_opentofu_org",
	} {
		if got, err := TerraformTokenVar(in); err != nil || got != want {
			t.Errorf("TerraformTokenVar(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "tfe.example.com:8443", "tfe.example.com/x", "a b", "under_score.com"} {
		if got, err := TerraformTokenVar(bad); !errors.Is(err, ErrTerraformHost) {
			t.Errorf("TerraformTokenVar(%q) = %q, %v; want ErrTerraformHost", bad, got, err)
		}
	}
}
