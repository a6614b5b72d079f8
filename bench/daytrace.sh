#!/usr/bin/env bash
# Issue 26's benchmark: a working day of credential requests replayed
# against the local server, compressed 60 times (tokens of 5 s, idle gaps
# of median 4 s, a 300 ms server latency that is not compressed), with
# authwrap built as the release builds it. See bench/daytrace/main.go
# and bench/README.md for what is measured.
#
#	bench/daytrace.sh                 # this tree: about 9 minutes
#	bench/daytrace.sh -bursts 10      # a quick try: about 2 minutes
#	bench/daytrace.sh REV [FLAGS]     # this tree, then the build at REV on the same day
#
# FLAGS go to bench/daytrace (go run ./bench/daytrace -h lists them).
source "$(dirname "$0")/lib.sh"
base=()
if [[ $# -gt 0 && $1 != -* ]]; then
  build_base "$1"
  base=(-base "$WORK/authwrap-base")
  shift
fi
echo "machine: $(nproc) cores; uptime before: $(uptime)"
go run ./bench/daytrace -bin "$AW" "${base[@]}" "$@"
echo "uptime after: $(uptime)"
