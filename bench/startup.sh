#!/usr/bin/env bash
# Where a cached `authwrap token`'s time goes, side by side in one run,
# all static, alternated, N runs each (default 500):
#
#   token       this tree's cached `authwrap token`
#   token@BASE  the same at BASE (default 3e85865, before issue 16's
#               second round), reading the same session and config
#   version     this tree's `authwrap version`: the whole binary started,
#               nothing done
#   reader      bench/reader: the same cached read through the same
#               packages (config, helper) and nothing else, which is what
#               splitting the binary would buy
#   linked      a program that imports every package authwrap's main
#               imports and does nothing: their package initialisation,
#               without authwrap's own code (the linker drops what is
#               not used)
#   floor       bench/floor: the Go runtime and net/http
#   git         `git credential-store get`, the baseline of the ratios
#
# linked - floor is what the linked packages' initialisation costs every
# run; version - linked what the size of the whole binary costs (its
# type links, itabs and the pages they touch); token - version the work
# of a cached read itself.
#
#	bench/startup.sh [N] [BASE]
source "$(dirname "$0")/lib.sh" --auto-approve 10ms --access-token-ttl 1h
n="${1:-500}"
base="${2:-3e85865}"
build_base "$base"
build "$WORK/floor" ./bench/floor
build "$WORK/reader" ./bench/reader
# The linked program is made in the module, so it resolves the same
# versions, and removed again.
linked="$(mktemp -d bench/linked.XXXXXX)"
{
  echo 'package main'
  echo 'import ('
  go list -f '{{join .Imports "\n"}}' . | grep -vx os | sed 's/.*/\t_ "&"/'
  echo '	"os"'
  echo ')'
  echo 'func main() { _, _ = os.Stdout.WriteString("linked\n") }'
} > "$linked/main.go"
build "$WORK/linked" "./$linked" || { rm -rf "$linked"; exit 1; }
rm -rf "$linked"
config_hosts git.example.com
"$AW" login --no-browser 2>/dev/null
"$AW" status | grep storage
cmp <("$AW" token) <("$WORK/authwrap-base" token) && cmp <("$AW" token) <("$WORK/reader") && echo "all three read the same cached token"
git_baseline
go run ./bench/compare -n "$n" -stdin "$WORK/git-request" -- \
  "$AW token" "$WORK/authwrap-base token" "$AW version" "$WORK/reader" "$WORK/linked" "$WORK/floor" \
  "git credential-store --file $WORK/git-credentials get"
