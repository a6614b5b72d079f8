//go:build !unix

package main

// transcriptVar names the directory for run transcripts (unused here).
const transcriptVar = "AUTHWRAP_TEST_TRANSCRIPT"

// transcribed runs main: transcripts need Unix file descriptors.
func transcribed(main func() int) int { return main() }

// checkTranscripts has nothing to check without transcripts.
func checkTranscripts(dir, home string, secrets []string) error { return nil }
