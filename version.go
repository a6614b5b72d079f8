package main

import (
	"runtime/debug"
	"strings"
)

// commit and date are set by the release build with -ldflags, next to
// version: "-X main.commit=FULL_SHA -X main.date=RFC3339" (the commit's
// date, so that a rebuild of the same commit says the same).
var commit, date = "", ""

// versionString says which build this is, in one word, as `authwrap
// version`, `--version` and docker's `version` print it: the version, then
// the commit and its date as semver build metadata, and "dirty" when the
// tree it was built from had changes:
//
//	1.2.3+0123456789ab.2026-01-02                  a release (-ldflags)
//	v0.0.0-20260102150405-0123456789ab+dirty       go build in a checkout
//	v1.2.3                                         go install ...@v1.2.3
//	dev                                            nothing recorded
//
// The values come from -ldflags, else from what the go command recorded
// (the module version, vcs.revision, vcs.time, vcs.modified). A release
// build has all three from -ldflags and reads nothing more.
func versionString() string {
	v, c, d, dirty := version, commit, date, false
	if v != "" && c != "" && d != "" {
		return formatVersion(v, c, d, false)
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v == "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if c == "" {
					c = s.Value
				}
			case "vcs.time":
				if d == "" {
					d = s.Value
				}
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
	}
	return formatVersion(v, c, d, dirty)
}

// formatVersion puts together versionString's word from a version (empty:
// unknown), a commit hash, an RFC 3339 date and whether the tree had
// changes.
func formatVersion(v, commit, date string, dirty bool) string {
	v, _ = strings.CutSuffix(v, "+dirty") // the go command's mark; said again below
	if v == "" {
		v = "dev"
	}
	if len(commit) > 12 {
		commit = commit[:12]
	}
	var meta []string
	// A pseudo-version (v0.0.0-20260102150405-0123456789ab) already
	// names the commit and its time.
	if commit != "" && !strings.HasSuffix(v, "-"+commit) {
		meta = append(meta, commit)
		if len(date) >= len("2006-01-02") {
			meta = append(meta, date[:len("2006-01-02")])
		}
	}
	if dirty {
		meta = append(meta, "dirty")
	}
	if len(meta) == 0 {
		return v
	}
	sep := "+"
	if strings.Contains(v, "+") { // v2.0.0+incompatible
		sep = "."
	}
	return v + sep + strings.Join(meta, ".")
}
