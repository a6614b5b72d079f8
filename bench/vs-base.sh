#!/usr/bin/env bash
# A cached read on this tree against the build at REV (default: the
# first commit of the second security review's work, 304a832), static,
# alternated, N runs each (default 300): `token`, and git's
# `git-credential get` for a host the config lists (so the config is read
# and checked). This is the side-by-side a change to the start-up path
# (the parser, the trust checks) is held to.
#
#	bench/vs-base.sh [REV] [N]
source "$(dirname "$0")/lib.sh" --auto-approve 10ms --access-token-ttl 1h
rev="${1:-304a832}"
n="${2:-300}"
build_base "$rev"
config_hosts git.example.com
"$AW" login --no-browser 2>/dev/null
printf 'protocol=https\nhost=git.example.com\n\n' > "$WORK/git-request"
go run ./bench/compare -n "$n" -stdin "$WORK/git-request" -- \
  "$AW token" "$AW git-credential get" "$WORK/authwrap-base git-credential get" "$WORK/authwrap-base token"
