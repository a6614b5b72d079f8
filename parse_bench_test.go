package main

import (
	"io"
	"testing"
)

// BenchmarkParse: the parse of a hot command line (a cached `token`, git's
// `git-credential get`) with the model of that command alone, as run
// builds it, against the whole model.
func BenchmarkParse(b *testing.B) {
	for _, tc := range []struct {
		name string
		only string
		args []string
	}{
		{"token/chosen", "token", []string{"token"}},
		{"token/whole", "", []string{"token"}},
		{"git/chosen", "git-credential", []string{"git-credential", "get"}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				var cli CLI
				p, err := newParser(&cli, tc.only, io.Discard, io.Discard, func(int) {})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := p.Parse(tc.args); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
