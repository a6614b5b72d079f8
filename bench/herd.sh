#!/usr/bin/env bash
# 64 concurrent `authwrap token` against the local server:
#  1. with an expired access token (tokens live 5 s; --min-ttl 1s): refresh requests seen by
#     the server, valid tokens printed, and wall time against one process
#     doing one refresh alone;
#  2. with no session, each on its own terminal (script(1)), the server
#     approving after 100 ms: device authorizations seen, tokens printed.
# Usage: bench/herd.sh [N] [LATENCY]; LATENCY (default 0s) delays every
# server answer, like a round trip to WorkOS.
n="${1:-64}"
latency="${2:-0s}"
source "$(dirname "$0")/lib.sh" --auto-approve 100ms --access-token-ttl 5s --interval 1s --latency "$latency"
# The lock is what is measured: a background refresher would refresh the
# token before the herd finds it expired (bench/daytrace.sh runs its herd
# with one).
export AUTHWRAP_KEEP_WARM=0
echo "herd of $n, server latency $latency, backend: $("$AW" status 2>/dev/null | sed -n 's/storage: *//p' || true)"
"$AW" login --no-browser 2>/dev/null

# Tokens live 5 s: once one has expired, `token` must refresh. One alone, timed:
sleep 5.5
r0=$(stat refresh)
t0=$(now_ms); "$AW" token --min-ttl 1s >/dev/null; t1=$(now_ms)
single=$((t1 - t0))
echo "single refresh: ${single} ms, $(( $(stat refresh) - r0 )) refresh request"

# For scale: 64 processes that only start and exit.
pids=()
t0=$(now_ms)
for i in $(seq "$n"); do "$AW" version >/dev/null & pids+=($!); done
wait "${pids[@]}"
t1=$(now_ms)
echo "herd of '$AW version' alone: wall $((t1 - t0)) ms"

sleep 5.5
r0=$(stat refresh)
mkdir "$WORK/out"
t0=$(now_ms)
pids=()
for i in $(seq "$n"); do "$AW" token --min-ttl 1s >"$WORK/out/$i" 2>"$WORK/out/$i.err" & pids+=($!); done
wait "${pids[@]}"
t1=$(now_ms)
valid=$(cat "$WORK"/out/[0-9]* | grep -c '^eyJ' || true)
unique=$(cat "$WORK"/out/[0-9]* | sort -u | grep -c '^eyJ' || true)
echo "herd refresh: $(( $(stat refresh) - r0 )) refresh requests, $valid valid tokens ($unique distinct), wall $((t1 - t0)) ms = $(awk -v a=$((t1 - t0)) -v b=$single 'BEGIN {printf "%.2f", a/b}') x single"

"$AW" logout 2>/dev/null
d0=$(stat device_authorization)
rm -rf "$WORK/out"; mkdir "$WORK/out"
t0=$(now_ms)
pids=()
for i in $(seq "$n"); do script -qec "$AW token >$WORK/out/$i" /dev/null >"$WORK/out/$i.tty" 2>&1 & pids+=($!); done
wait "${pids[@]}"
t1=$(now_ms)
valid=$(cat "$WORK"/out/[0-9]* | grep -c '^eyJ' || true)
echo "herd sign-in: $(( $(stat device_authorization) - d0 )) device authorizations, $valid valid tokens, wall $((t1 - t0)) ms"
