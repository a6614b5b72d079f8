#!/usr/bin/env bash
# Page faults and threads of a cached `authwrap token` next to bench/floor
# (a static Go program that links net/http and does nothing), both static:
# the median, min and max of N runs (default 30) of /usr/bin/time's %R
# (minor page faults), and the threads each starts (clone calls under
# strace -f, when strace is installed).
#
#	bench/page-faults.sh [N]
source "$(dirname "$0")/lib.sh" --auto-approve 10ms --access-token-ttl 1h
n="${1:-30}"
"$AW" login --no-browser 2>/dev/null
build "$WORK/floor" ./bench/floor
for c in "$AW token" "$WORK/floor"; do
  for _ in $(seq "$n"); do /usr/bin/time -f %R $c 2>&1 >/dev/null | tail -1; done | sort -n |
    awk -v c="$(basename "${c%% *}")${c#"${c%% *}"}" '{a[NR]=$1} END {printf "%-16s page faults: median %d (min %d, max %d)\n", c, a[int((NR+1)/2)], a[1], a[NR]}'
  if command -v strace >/dev/null; then
    # shellcheck disable=SC2086
    # One line per clone call (a call interrupted by another thread's
    # output is printed again as "resumed"); five runs, as it varies.
    echo "$(basename "${c%% *}"): threads started in 5 runs: $(for _ in 1 2 3 4 5; do
      strace -f -qq -e trace=clone,clone3 -o "$WORK/strace" $c >/dev/null 2>&1
      grep -v resumed "$WORK/strace" | grep -c clone; done | tr '\n' ' ')"
  fi
done
