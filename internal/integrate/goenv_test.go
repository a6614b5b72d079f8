package integrate

import "testing"

// The GOAUTH setup go writes is recognised, with or without --profile,
// among other commands; another program named goauth is not authwrap.
func TestGoAuthProgram(t *testing.T) {
	for v, want := range map[string]string{
		"netrc;/usr/local/bin/authwrap goauth":                  "/usr/local/bin/authwrap",
		"netrc;/usr/local/bin/authwrap --profile work goauth":   "/usr/local/bin/authwrap",
		`C:\Tools\authwrap.exe goauth`:                          `C:\Tools\authwrap.exe`,
		"netrc":                                                 "",
		"/usr/bin/other goauth":                                 "",
		"/opt/authwrap-data/bin/helper goauth":                  "",
		"netrc;/usr/local/bin/authwrap goauth extra;git /tmp/x": "",
	} {
		if got, ok := GoAuthProgram(v); got != want || ok != (want != "") {
			t.Errorf("GoAuthProgram(%q) = %q, %v; want %q", v, got, ok, want)
		}
	}
}

// GOPRIVATE and kin name a host by a pattern's first element or a proxy
// URL, never by a substring of another name.
func TestGoEnvNames(t *testing.T) {
	lists := "corp.example.com/*,*.git.example.org\nbadcorp.example.com\nhttps://proxy.example.net:8443,direct|off\n"
	for host, want := range map[string]bool{
		"corp.example.com":       true,
		"a.git.example.org":      true,
		"proxy.example.net:8443": true,
		"badcorp.example.com":    true,
		"orp.example.com":        false,
		"example.com":            false,
		"proxy.example.net":      false,
		"git.example.org":        false,
	} {
		if got := goEnvNames(lists, host); got != want {
			t.Errorf("goEnvNames(%q) = %v, want %v", host, got, want)
		}
	}
}
