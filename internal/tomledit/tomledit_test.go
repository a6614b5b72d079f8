package tomledit

import "testing"

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
