# Shared set-up for the bench scripts: build authwrap, start its local
# server on a free loopback port with the given dev-server flags, and point
# authwrap at it with a throwaway state directory. Source it, then use
# $AW (the static binary), $AWD (the dynamic one), $URL, $WORK, stat NAME
# (a server counter).
set -euo pipefail
cd "$(dirname "$0")/.."
WORK="$(mktemp -d)"
AW="$WORK/authwrap"
# build OUT PKG builds PKG as the release does (.goreleaser.yaml): static
# (no cgo), -trimpath, no symbol tables. $AW is authwrap so built, which
# is what users get; $AWD the dynamically linked build (cgo on), for
# comparison.
build() { CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o "$1" "$2"; }
build "$AW" .
AWD="$WORK/authwrap-dynamic"
CGO_ENABLED=1 go build -trimpath -ldflags="-s -w" -o "$AWD" .
port=$((20000 + RANDOM % 20000))
"$AW" dev-server --addr "127.0.0.1:$port" "$@" >/dev/null 2>&1 &
SRV=$!
trap 'kill $SRV 2>/dev/null || true; "$AW" logout >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
URL="http://127.0.0.1:$port"
for _ in $(seq 50); do curl -fs "$URL/" >/dev/null 2>&1 && break; sleep 0.1; done
export AUTHWRAP_API_URL="$URL" AUTHWRAP_CLIENT_ID=client_authwrap_dev XDG_STATE_HOME="$WORK/state" \
  AUTHWRAP_PROFILE="bench-$$" AUTHWRAP_FILE_DIR="$WORK/keyring" AUTHWRAP_FILE_PASSPHRASE=bench
unset AUTHWRAP_NO_PROMPT CI GIT_TERMINAL_PROMPT

# stat NAME prints a request counter (poll, refresh, device_authorization).
stat() { curl -fs "$URL/_authkittest/stats" | tr ',{}' '\n\n\n' | sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" | head -1 | sed 's/^$/0/'; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# build_base REV builds authwrap at REV as $WORK/authwrap-base.
build_base() {
  git worktree add -q --detach "$WORK/base" "$1"
  (cd "$WORK/base" && build "$WORK/authwrap-base" .)
  git worktree remove --force "$WORK/base"
}

# config_hosts HOST... writes a config file (mode 600) whose profile
# lists the hosts, as a user's would, so that runs read and check it.
config_hosts() {
  export XDG_CONFIG_HOME="$WORK/config"
  mkdir -p "$XDG_CONFIG_HOME/authwrap"
  local list
  list="$(printf '"%s", ' "$@")"
  printf '[profiles.%s]\nclient_id = "client_authwrap_dev"\nhosts = [%s]\n' "$AUTHWRAP_PROFILE" "${list%, }" \
    > "$XDG_CONFIG_HOME/authwrap/config.toml"
  chmod 600 "$XDG_CONFIG_HOME/authwrap/config.toml"
}

# git_baseline writes $WORK/git-credentials and $WORK/git-request (for
# -stdin), for `git credential-store --file $WORK/git-credentials get`.
git_baseline() {
  printf 'https://user:pass@example.com\n' > "$WORK/git-credentials"
  printf 'protocol=https\nhost=example.com\n\n' > "$WORK/git-request"
}
