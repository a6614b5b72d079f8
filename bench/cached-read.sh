#!/usr/bin/env bash
# A cached `authwrap token` (valid token in the store, default backend),
# static and dynamic builds,
# against `git credential-store get` reading a plaintext file, and against
# the floor of any Go program that links net/http, alternated, N runs each
# (default 100). Also peak RSS, and dbus-daemon processes before and after
# 100 more invocations.
source "$(dirname "$0")/lib.sh" --auto-approve 10ms --access-token-ttl 1h
n="${1:-100}"
"$AW" login --no-browser 2>/dev/null
"$AW" status | grep storage
build "$WORK/floor" ./bench/floor
git_baseline
go run ./bench/compare -n "$n" -stdin "$WORK/git-request" -- \
  "$AW token" "$AWD token" "$WORK/floor" "git credential-store --file $WORK/git-credentials get"
before=$(pgrep -c dbus-daemon || true)
for _ in $(seq 100); do "$AW" token >/dev/null; done
after=$(pgrep -c dbus-daemon || true)
echo "dbus-daemon processes: before ${before:-0}, after 100 invocations ${after:-0}"
