#!/usr/bin/env bash
# `authwrap exec -- true` with a cached token against `true` itself,
# alternated, N runs each (default 100): the median overhead of exec.
source "$(dirname "$0")/lib.sh" --auto-approve 10ms --access-token-ttl 1h
n="${1:-100}"
"$AW" login --no-browser 2>/dev/null
true_bin="$(command -v true)"
go run ./bench/compare -n "$n" -- "$AW exec --min-ttl 1m -- $true_bin" "$true_bin" | tee "$WORK/out"
# The first field ending in "ms" on each result line is its median.
awk 'NR>1 {for (i=1; i<=NF; i++) if ($i ~ /ms$/) {m[NR]=$i+0; break}} END {printf "median overhead of exec: %.2f ms\n", m[2]-m[3]}' "$WORK/out"
