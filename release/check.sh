#!/usr/bin/env bash
# Checks the release configuration end to end without publishing:
# `goreleaser check`, then a snapshot release of the working tree in a
# temporary directory, then what came out: every archive's files, the
# .deb's and .rpm's contents and helper links, the linux/amd64 binary
# (runs `version`, statically linked), the SBOMs and the checksums.
set -euo pipefail
cd "$(dirname "$0")/.."

goreleaser_version=v2.15.1
cdx_version=v1.10.0
tools="${XDG_CACHE_HOME:-$HOME/.cache}/authwrap-ci/release-tools"
export GOBIN="$tools/bin"
[ -x "$GOBIN/goreleaser-$goreleaser_version" ] || {
  (cd / && go install "github.com/goreleaser/goreleaser/v2@$goreleaser_version")
  mv "$GOBIN/goreleaser" "$GOBIN/goreleaser-$goreleaser_version"
}
[ -x "$GOBIN/cyclonedx-gomod-$cdx_version" ] || {
  (cd / && go install "github.com/CycloneDX/cyclonedx-gomod/cmd/cyclonedx-gomod@$cdx_version")
  mv "$GOBIN/cyclonedx-gomod" "$GOBIN/cyclonedx-gomod-$cdx_version"
}
mkdir -p "$tools/path"
ln -sf "$GOBIN/cyclonedx-gomod-$cdx_version" "$tools/path/cyclonedx-gomod"
export PATH="$tools/path:$PATH"
goreleaser="$GOBIN/goreleaser-$goreleaser_version"

"$goreleaser" check

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# A copy of the working tree with its history: goreleaser reads the
# commit, and dist/ stays out of the tree.
git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf - | (mkdir "$work/src" && tar -C "$work/src" -xf -)
cp -a .git "$work/src/.git"
cd "$work/src"
"$goreleaser" release --snapshot --clean --skip=publish,sign >"$work/goreleaser.log" 2>&1 || {
  cat "$work/goreleaser.log"; exit 1
}
dist="$work/src/dist"
fail() { echo "release/check: $*" >&2; exit 1; }

version="$(sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' "$dist/metadata.json" | head -1)"
[ -n "$version" ] || fail "no version in dist/metadata.json"
echo "release/check: snapshot $version"

targets="linux_amd64 linux_arm64 darwin_amd64 darwin_arm64 windows_amd64 windows_arm64"
for t in $targets; do
  case "$t" in
    windows_*) a="$dist/authwrap_${version}_$t.zip"; bin=authwrap.exe
      [ -f "$a" ] || fail "missing $a"
      list="$(unzip -Z1 "$a")" ;;
    *) a="$dist/authwrap_${version}_$t.tar.gz"; bin=authwrap
      [ -f "$a" ] || fail "missing $a"
      list="$(tar -tzf "$a")" ;;
  esac
  for f in "$bin" README.md man/authwrap.1 completions/authwrap.bash completions/_authwrap.zsh completions/authwrap.fish; do
    grep -qx "$f" <<<"$list" || fail "$(basename "$a") lacks $f (has: $(echo $list))"
  done
  [ -s "$dist/authwrap_${version}_${t}.cdx.json" ] || fail "no SBOM for $t"
  grep -q '"bomFormat": *"CycloneDX"' "$dist/authwrap_${version}_${t}.cdx.json" || fail "the $t SBOM is not CycloneDX"
  grep -q 'github.com/99designs/keyring' "$dist/authwrap_${version}_${t}.cdx.json" || fail "the $t SBOM lists no dependencies"
  echo "release/check: $(basename "$a"): $(echo $list)"
done

deb="$(ls "$dist"/authwrap_*_amd64.deb)"
contents="$(dpkg-deb -c "$deb")"
for link in git-credential-authwrap docker-credential-authwrap terraform-credentials-authwrap; do
  grep -q "./usr/bin/$link -> /usr/bin/authwrap" <<<"$contents" || fail "$(basename "$deb") has no $link link:
$contents"
done
for f in ./usr/bin/authwrap ./usr/share/man/man1/authwrap.1 ./usr/share/bash-completion/completions/authwrap; do
  grep -q " $f\$\| $f " <<<"$contents" || fail "$(basename "$deb") lacks $f"
done
echo "release/check: $(basename "$deb"):"; sed 's/^/  /' <<<"$contents"
rpm="$(ls "$dist"/authwrap-*.x86_64.rpm)"
if command -v rpm >/dev/null; then
  rpmlist="$(rpm -qlp "$rpm" 2>/dev/null)"
  for f in /usr/bin/authwrap /usr/bin/git-credential-authwrap /usr/bin/docker-credential-authwrap /usr/bin/terraform-credentials-authwrap; do
    grep -qx "$f" <<<"$rpmlist" || fail "$(basename "$rpm") lacks $f"
  done
  echo "release/check: $(basename "$rpm"): $(echo $rpmlist)"
else
  [ -s "$rpm" ] || fail "no rpm"
fi

tar -xzf "$dist/authwrap_${version}_linux_amd64.tar.gz" -C "$work" authwrap
out="$("$work/authwrap" version)"
grep -q "$version" <<<"$out" || fail "authwrap version says $out, want $version"
if ldd "$work/authwrap" >/dev/null 2>&1; then fail "the linux/amd64 binary is dynamically linked: $(ldd "$work/authwrap")"; fi
echo "release/check: linux/amd64 binary: $out; static (ldd: not a dynamic executable)"

(cd "$dist" && sha256sum -c checksums.txt >/dev/null) || fail "checksums.txt does not match"
echo "release/check: checksums.txt matches $(wc -l <"$dist/checksums.txt") files"

cask="$(find "$dist" -name authwrap.rb | head -1)"
scoop="$(find "$dist" -name authwrap.json | head -1)"
[ -n "$cask" ] || fail "no Homebrew cask"
[ -n "$scoop" ] || fail "no Scoop manifest"
for t in darwin_amd64 darwin_arm64; do
  sum="$(grep "authwrap_${version}_$t.tar.gz" "$dist/checksums.txt" | cut -d' ' -f1)"
  grep -q "$sum" "$cask" || fail "the cask lacks the $t checksum"
done
sum="$(grep "authwrap_${version}_windows_amd64.zip" "$dist/checksums.txt" | cut -d' ' -f1)"
grep -q "$sum" "$scoop" || fail "the Scoop manifest lacks the windows_amd64 checksum"
echo "release/check: Homebrew cask $(basename "$cask") and Scoop manifest $(basename "$scoop") carry the archives' checksums"
echo "release/check: ok"
