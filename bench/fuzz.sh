#!/usr/bin/env bash
# bench/fuzz.sh [DURATION]: run every fuzz target (each decoder of outside
# input) for DURATION (default 2m), one after the other, and print a table
# of executions and outcome. New crashers land in the package's
# testdata/fuzz/NAME directory, as go test -fuzz leaves them.
set -uo pipefail
cd "$(dirname "$0")/.."
dur="${1:-2m}"
# Only these targets when named after the duration.
shift || true
targets="./protocol:FuzzReadGit ./protocol:FuzzServeDocker ./protocol:FuzzParseExecInfo
./flow:FuzzTokenResponse ./flow:FuzzDeviceResponse ./flow:FuzzErrorBody ./flow:FuzzParseClaims
./internal/config:FuzzLoad ./protocol:FuzzCargoRequest ./protocol:FuzzGoAuthResponse
./internal/credhelper:FuzzKeyringService ./internal/integrate:FuzzSetupCargo"
[ "$#" -gt 0 ] && targets="$*"
printf '| target | package | time | executions | outcome |\n|---|---|---|---|---|\n'
fails=0
for t in $targets; do
  pkg="${t%%:*}" name="${t##*:}"
  log="$(mktemp)"
  if go test "$pkg" -run='^$' -fuzz="^$name\$" -fuzztime="$dur" >"$log" 2>&1; then
    outcome="0 crashes, 0 hangs"
  else
    outcome="FAILED: $(grep -m1 -E 'panic|Failing input|FAIL' "$log")"
    fails=$((fails + 1))
  fi
  execs="$(grep -oE 'execs: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)"
  printf '| %s | %s | %s | %s | %s |\n' "$name" "$pkg" "$dur" "${execs:-?}" "$outcome"
  rm -f "$log"
done
exit "$fails"
