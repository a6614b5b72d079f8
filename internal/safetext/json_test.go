package safetext

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestJSON(t *testing.T) {
	cases := []struct {
		name string
		v    any
		want string
	}{
		{"plain", map[string]string{"email": "dev@example.com"}, `{"email":"dev@example.com"}`},
		{"unicode kept", []string{"Müller — 東京"}, `["Müller — 東京"]`},
		{"C1 CSI", []string{"a\u009b31mb"}, `["a\u009b31mb"]`},
		{"right-to-left override", []string{"moc.elpmaxe@\u202eved"}, `["moc.elpmaxe@\u202eved"]`},
		{"isolates and marks", []string{"\u2066\u2069\u200e\u200f\u061c"}, `["\u2066\u2069\u200e\u200f\u061c"]`},
		{"DEL", []string{"a\x7fb"}, `["a\u007fb"]`},
		{"line separators", []string{"a\u2028b\u2029"}, `["a\u2028b\u2029"]`},
		{"beyond the BMP", []string{"tag\U000e0041"}, `["tag\udb40\udc41"]`},
		{"C0 as encoding/json writes it", []string{"a\x1b]0;t\x07"}, `["a\u001b]0;t\u0007"]`},
		{"in a key", map[string]int{"k\u009b": 1}, `{"k\u009b":1}`},
		{"after an escaped quote", []string{`"` + "\u202e"}, `["\"\u202e"]`},
		{"after an escaped backslash", []string{`\` + "\u202e"}, `["\\\u202e"]`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := MarshalJSON(tc.v)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("MarshalJSON(%q) = %s, want %s", tc.v, got, tc.want)
			}
			back := reflect.New(reflect.TypeOf(tc.v))
			if err := json.Unmarshal(got, back.Interface()); err != nil {
				t.Fatalf("%s does not decode: %v", got, err)
			}
			if !reflect.DeepEqual(back.Elem().Interface(), tc.v) {
				t.Errorf("%s decodes to %q, want %q", got, back.Elem().Interface(), tc.v)
			}
		})
	}
}

func TestJSONKeepsWhitespace(t *testing.T) {
	in := "{\r\n\t\"a\": \"\u202e\"\n}"
	if got, want := string(JSON([]byte(in))), "{\r\n\t\"a\": \"\\u202e\"\n}"; got != want {
		t.Errorf("JSON(%q) = %q, want %q", in, got, want)
	}
}

func TestJSONEncoder(t *testing.T) {
	var b bytes.Buffer
	e := NewJSONEncoder(&b)
	e.SetIndent("", "  ")
	if err := e.Encode([]map[string]string{{"organization_id": "org_\u009b2J\u202e"}}); err != nil {
		t.Fatal(err)
	}
	want := "[\n  {\n    \"organization_id\": \"org_\\u009b2J\\u202e\"\n  }\n]\n"
	if b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}

// FuzzJSON holds JSON to its promise for any input: no rune the terminal
// rule rejects comes out but JSON's whitespace, and valid JSON stays
// valid with the same value.
func FuzzJSON(f *testing.F) {
	f.Add([]byte(`{"email":"a` + "\u009b" + `b","id":"` + "\u202e" + `"}`))
	f.Add([]byte("[\"\\\"\u2028\", \"\\\\\x7f\"]\n"))
	f.Add([]byte("\"\xff\xfe\U000e0041\""))
	f.Add([]byte("{\"a\":\t1}\r\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		out := JSON(in)
		for _, r := range string(out) {
			if unsafe(r) && !strings.ContainsRune("\t\n\r", r) {
				t.Fatalf("JSON(%q) = %q left %U", in, out, r)
			}
		}
		if !json.Valid(in) {
			return
		}
		var want, got any
		if err := json.Unmarshal(in, &want); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("JSON(%q) = %q, not JSON: %v", in, out, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("JSON(%q) = %q decodes to %#v, want %#v", in, out, got, want)
		}
	})
}
