package main

import (
	"bytes"
	"testing"
)

// TestVersionNamesCommitAndDate: a release build (version, commit and date
// from -ldflags, as .goreleaser.yaml passes them) says all three in
// `authwrap version` and `authwrap --version`, as one word after the name.
func TestVersionNamesCommitAndDate(t *testing.T) {
	defer func(v, c, d string) { version, commit, date = v, c, d }(version, commit, date)
	version, commit, date = "1.2.3", "0123456789abcdef0123456789abcdef01234567", "2026-01-02T15:04:05Z"
	for _, args := range [][]string{{"version"}, {"--version"}} {
		var out, errOut bytes.Buffer
		if code := run(args, &out, &errOut); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errOut.String())
		}
		if want := "authwrap 1.2.3+0123456789ab.2026-01-02\n"; out.String() != want {
			t.Errorf("authwrap %v printed %q, want %q", args, out.String(), want)
		}
	}
}

// TestVersionFormat: what the go command records (go build in a checkout,
// go install of a version) is said without repeating what a
// pseudo-version already names, and a changed tree is marked dirty.
func TestVersionFormat(t *testing.T) {
	const sha = "0123456789abcdef0123456789abcdef01234567"
	for _, tc := range []struct {
		version, commit, date string
		dirty                 bool
		want                  string
	}{
		{"1.2.3", sha, "2026-01-02T15:04:05Z", false, "1.2.3+0123456789ab.2026-01-02"},
		{"0.0.1-snapshot", sha, "2026-01-02T15:04:05Z", true, "0.0.1-snapshot+0123456789ab.2026-01-02.dirty"},
		{"v0.0.0-20260102150405-0123456789ab", sha, "2026-01-02T15:04:05Z", false, "v0.0.0-20260102150405-0123456789ab"},
		{"v0.0.0-20260102150405-0123456789ab+dirty", sha, "2026-01-02T15:04:05Z", true, "v0.0.0-20260102150405-0123456789ab+dirty"},
		{"v1.2.3", sha, "2026-01-02T15:04:05Z", false, "v1.2.3+0123456789ab.2026-01-02"},
		{"v2.0.0+incompatible", sha, "2026-01-02T15:04:05Z", false, "v2.0.0+incompatible.0123456789ab.2026-01-02"},
		{"v1.2.3", "", "", false, "v1.2.3"},
		{"", sha, "2026-01-02T15:04:05Z", true, "dev+0123456789ab.2026-01-02.dirty"},
		{"", "", "", false, "dev"},
	} {
		if got := formatVersion(tc.version, tc.commit, tc.date, tc.dirty); got != tc.want {
			t.Errorf("formatVersion(%q, %q, %q, %v) = %q, want %q", tc.version, tc.commit, tc.date, tc.dirty, got, tc.want)
		}
	}
}
