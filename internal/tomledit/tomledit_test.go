package tomledit

import (
	"strings"
	"testing"
)

func TestEditKeepsTheRest(t *testing.T) {
	in := "# top\r\n[a]\r\nx = 1 # one\r\nlist = [\r\n  \"p\",\r\n]\r\n# end of a\r\n\r\n[\"b\".'c'] # quoted\r\ny = 2\r\n"
	d := Parse([]byte(in))
	if got := string(d.Bytes()); got != in {
		t.Fatalf("round trip changed the file:\n%q", got)
	}
	a := d.Tables("a")
	if len(a) != 1 || len(d.Tables("b", "c")) != 1 || len(d.Tables("b")) != 0 {
		t.Fatalf("tables: a %v, b.c %v", a, d.Tables("b", "c"))
	}
	if f, l := d.Key(a[0], "list"); f != 3 || l != 5 {
		t.Errorf("list spans %d-%d, want 3-5", f, l)
	}
	d.Set(a[0], "x", "1") // the same value: the comment stays
	d.Set(a[0], "list", Strings([]string{"q", `r"s`}))
	d.Set(a[0], "z", String("new"))    // after the last key, before the comment
	d.Drop(d.Tables("b", "c")[0], "y") // the table stays, empty
	d.Set(d.AddTable("d"), "w", String("\x01"))
	want := "# top\r\n[a]\r\nx = 1 # one\r\nlist = [\"q\", \"r\\\"s\"]\r\nz = \"new\"\r\n# end of a\r\n\r\n[\"b\".'c'] # quoted\r\n\r\n[d]\r\nw = \"\\u0001\"\r\n"
	if got := string(d.Bytes()); got != want {
		t.Errorf("after the edits:\n%q\nwant\n%q", got, want)
	}
	if Parse(nil).Bytes() != nil {
		t.Error("an empty file is not empty after")
	}
}

func TestDecode(t *testing.T) {
	type Inner struct {
		ClientID string `toml:"client_id"`
	}
	type entry struct {
		Inner
		Hosts []string `toml:"hosts"`
	}
	type file struct {
		Default  string            `toml:"default_profile"`
		Profiles map[string]*entry `toml:"profiles"`
	}
	var f file
	in := "default_profile = \"a\"\r\n[profiles.a]\nclient_id = \"c\"\nhosts = [\n  \"x.example.com\", # one\n]\n"
	if err := Decode([]byte(in), &f, true); err != nil {
		t.Fatal(err)
	}
	if f.Default != "a" || f.Profiles["a"] == nil || f.Profiles["a"].ClientID != "c" || len(f.Profiles["a"].Hosts) != 1 {
		t.Fatalf("decoded %+v", f)
	}

	// Strict: the unknown key is named by its whole path; not strict, it is ignored.
	unknown := []byte("[profiles.main]\nclientid = \"x\"\n")
	err := Decode(unknown, &file{}, true)
	if err == nil || err.Error() != `unknown setting "profiles.main.clientid"` {
		t.Fatalf("strict: %v", err)
	}
	if err := Decode(unknown, &file{}, false); err != nil {
		t.Fatalf("not strict: %v", err)
	}

	// A UTF-8 byte order mark is read past.
	var withBOM file
	if err := Decode([]byte("\ufeffdefault_profile = \"b\"\n"), &withBOM, true); err != nil || withBOM.Default != "b" {
		t.Fatalf("with a byte order mark: %+v, %v", withBOM, err)
	}

	// A value of the wrong type is named by its key, not by Go types.
	err = Decode([]byte("[profiles.a]\nhosts = \"x\"\n"), &file{}, true)
	if err == nil || err.Error() != "line 2, column 9: profiles.a.hosts cannot be a string" {
		t.Fatalf("wrong type: %v", err)
	}

	// Syntax and type errors say where.
	for in, want := range map[string]string{
		"default_profile = \"a\"\n[profiles.a\n":    "line 2, column",
		"default_profile = 3\n":                     "line 1, column",
		"a = 1\na = 2\n":                            "line 2, column",
		"[profiles.a]\nhosts = \"not a list\"\n":    "line 2, column",
		"default_profile = \"unterminated\nx = 1\n": "line 1, column",
	} {
		err := Decode([]byte(in), &file{}, false)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want one containing %q", in, err, want)
		}
	}
}

// TestByteOrderMark: a file that starts with one keeps it, and its first
// line is still a table header.
func TestByteOrderMark(t *testing.T) {
	in := "\ufeff[a]\nk = 1\n"
	d := Parse([]byte(in))
	if got := d.Tables("a"); len(got) != 1 || got[0] != 0 {
		t.Fatalf("Tables(a) = %v", got)
	}
	d.Set(0, "k", "2")
	if got := string(d.Bytes()); got != "\ufeff[a]\nk = 2\n" {
		t.Fatalf("Bytes = %q", got)
	}
}
