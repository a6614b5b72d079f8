#!/usr/bin/env bash
# Time from approval to token on `authwrap login`, against the built-in
# server with --interval 1s: N sign-ins (default 20), each approved through
# the verification page's form at a random moment, as a person would.
# Prints each time, the median, and the polls per sign-in.
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-20}"
work="$(mktemp -d)"
trap 'kill $srv 2>/dev/null || true; rm -rf "$work"' EXIT
go build -o "$work/authwrap" .
port=$((20000 + RANDOM % 20000))
"$work/authwrap" dev-server --addr "127.0.0.1:$port" --interval 1s >/dev/null 2>&1 &
srv=$!
url="http://127.0.0.1:$port"
for _ in $(seq 50); do curl -fs "$url/" >/dev/null 2>&1 && break; sleep 0.1; done
export AUTHWRAP_API_URL="$url" AUTHWRAP_CLIENT_ID=client_authwrap_dev AUTHWRAP_KEYRING_BACKEND=file \
  AUTHWRAP_FILE_DIR="$work/keyring" AUTHWRAP_FILE_PASSPHRASE=bench XDG_STATE_HOME="$work/state" AUTHWRAP_NO_PROMPT=1
polls_before=$(curl -fs "$url/_authkittest/stats" | sed -n 's/.*"poll":\([0-9]*\).*/\1/p'); polls_before=${polls_before:-0}
: > "$work/times"
for i in $(seq "$n"); do
  "$work/authwrap" login --no-browser 2>"$work/login.err" &
  pid=$!
  code=""
  for _ in $(seq 100); do
    code=$(sed -n 's/.*one-time code is \([A-Z-]*\).*/\1/p' "$work/login.err")
    [ -n "$code" ] && break; sleep 0.05
  done
  # Approve somewhere in the 1-3 s after the code appeared.
  sleep "$((1 + RANDOM % 2)).$(printf %03d $((RANDOM % 1000)))"
  t0=$(date +%s%N)
  curl -fs -o /dev/null -d "user_code=$code" -d action=approve "$url/device/decide"
  wait "$pid"
  t1=$(date +%s%N)
  echo "$(( (t1 - t0) / 1000000 ))" >> "$work/times"
done
polls_after=$(curl -fs "$url/_authkittest/stats" | sed -n 's/.*"poll":\([0-9]*\).*/\1/p')
slow=$(curl -fs "$url/_authkittest/stats" | sed -n 's/.*"slow_downs":\([0-9]*\).*/\1/p')
echo "approval-to-token ms: $(sort -n "$work/times" | tr '\n' ' ')"
echo "median ms: $(sort -n "$work/times" | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}')"
echo "polls per sign-in: $(awk -v a="$polls_before" -v b="$polls_after" -v n="$n" 'BEGIN {printf "%.2f", (b-a)/n}')"
echo "slow_down answers: $slow"
