#!/usr/bin/env bash
# Every helper command on a cached session against `authwrap token`, on
# the static build, alternated, N runs each (default 200): git's and
# docker's get, Terraform's get, kubectl's plugin, cargo's provider, GOAUTH,
# pip's keyring, and version (the fast
# parser path covers them all), with `git credential-store get` as the
# common baseline.
#
#	bench/helpers.sh [N]
source "$(dirname "$0")/lib.sh" --auto-approve 10ms --access-token-ttl 1h
n="${1:-200}"
export DOCKER_CONFIG="$WORK/docker"
config_hosts git.example.com registry.example.com app.terraform.io k8s.example.com cargo.example.com pypi.example.com
"$AW" login --no-browser 2>/dev/null
git_baseline
# git's request for the profile's host, so git-credential get answers.
printf 'protocol=https\nhost=git.example.com\n\n' > "$WORK/git-request"
printf 'registry.example.com' > "$WORK/docker-request"
export KUBERNETES_EXEC_INFO='{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","spec":{"interactive":false,"cluster":{"server":"https://k8s.example.com"}}}'
go run ./bench/compare -n "$n" -stdin "$WORK/git-request" -- \
  "$AW git-credential get" "$AW kubectl-credential" "$AW terraform-credentials get app.terraform.io" \
  "$AW version" "$AW token" "git credential-store --file $WORK/git-credentials get"
go run ./bench/compare -n "$n" -stdin "$WORK/docker-request" -- \
  "$AW docker-credential get" "$AW token"
# The package managers: cargo's provider (one get request), the go
# command's GOAUTH, pip's keyring.
printf '{"v":1,"registry":{"index-url":"sparse+https://cargo.example.com/index/"},"kind":"get","operation":"read","args":["cargo-credential"]}\n' > "$WORK/cargo-request"
go run ./bench/compare -n "$n" -stdin "$WORK/cargo-request" -- \
  "$AW --cargo-plugin" "$AW goauth" "$AW keyring get https://pypi.example.com/simple/ x-access-token" "$AW token"
