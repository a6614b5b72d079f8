#!/usr/bin/env bash
# What the config trust check (issue 12: owner, mode and every directory
# above the config, on every path) costs a cached `authwrap token`: this
# tree's static build against a static build of BASE (default 7291f38, the
# commit before the check), both reading the same cached session and the
# same config file, alternated, N runs each (default 300), with `git
# credential-store get` as the common baseline.
#
#	bench/trust-cost.sh [N] [BASE]
source "$(dirname "$0")/lib.sh" --auto-approve 10ms --access-token-ttl 1h
n="${1:-300}"
base="${2:-7291f38}"
build_base "$base"
config_hosts git.example.com
"$AW" login --no-browser 2>/dev/null
"$AW" status | grep storage
cmp <("$AW" token) <("$WORK/authwrap-base" token) && echo "both read the same cached token"
git_baseline
go run ./bench/compare -n "$n" -stdin "$WORK/git-request" -- \
  "$AW token" "$WORK/authwrap-base token" "git credential-store --file $WORK/git-credentials get"
