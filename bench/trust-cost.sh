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
build "$AW" .
git worktree add -q --detach "$WORK/base" "$base"
(cd "$WORK/base" && build "$WORK/authwrap-base" .)
git worktree remove --force "$WORK/base"
export XDG_CONFIG_HOME="$WORK/config"
mkdir -p "$XDG_CONFIG_HOME/authwrap"
printf '[profiles.%s]\nclient_id = "client_authwrap_dev"\nhosts = ["git.example.com"]\n' "$AUTHWRAP_PROFILE" > "$XDG_CONFIG_HOME/authwrap/config.toml"
chmod 600 "$XDG_CONFIG_HOME/authwrap/config.toml"
"$AW" login --no-browser 2>/dev/null
"$AW" status | grep storage
cmp <("$AW" token) <("$WORK/authwrap-base" token) && echo "both read the same cached token"
printf 'https://user:pass@example.com\n' > "$WORK/git-credentials"
printf 'protocol=https\nhost=example.com\n\n' > "$WORK/git-request"
go run ./bench/compare -n "$n" -stdin "$WORK/git-request" -- \
  "$AW token" "$WORK/authwrap-base token" "git credential-store --file $WORK/git-credentials get"
