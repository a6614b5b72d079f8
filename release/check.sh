#!/usr/bin/env bash
# Checks the release end to end without publishing: `goreleaser check`,
# then a snapshot release of the working tree with the pinned Go into
# dist/ (ignored by git, and kept for a look), then what came out: every
# archive's files under its one directory, the .deb's and .rpm's contents,
# links, copyright and changelog, the SBOMs and their licence, the
# checksums, the Homebrew cask (staged as Homebrew does) and the Scoop
# manifest. Last, the linux/amd64 archive is installed as the README's
# install section says, by its own commands, into a fresh home, and each
# piece is tried there: the binary, `man authwrap`, and bash, zsh and fish
# completing "authwrap lo". A check whose tool is missing (lintian, rpm,
# man, a shell) is skipped, and said, except under .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
fail() { echo "release/check: $*" >&2; exit 1; }
# have NAME WHAT TEST...: whether a tool a check needs is here. .ci/run
# installs them all and sets AUTHWRAP_REQUIRE_CLIENTS=1: a missing one fails
# there; elsewhere the check is skipped, and said.
have() {
  local name=$1 what=$2; shift 2
  if "$@" >/dev/null 2>&1; then return 0; fi
  [ "${AUTHWRAP_REQUIRE_CLIENTS:-}" != 1 ] || fail "$name is not installed (.ci/run's package list has it)"
  echo "release/check: skipped $what: $name is not installed"
  return 1
}

# The Go that .ci/run pins, for the tools and the release's binaries.
go_pinned="$(sed -n 's/^export GOTOOLCHAIN=\(go[0-9.]*\)$/\1/p' .ci/run)"
[ -n "$go_pinned" ] || fail "no 'export GOTOOLCHAIN=goX.Y.Z' line in .ci/run"
export GOTOOLCHAIN="$go_pinned"

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

# GoReleaser reads the commit and its date from git, and drops them all
# when the clone has no remote (as a worktree of a local repository): the
# project's URL stands in then, from the environment, not the config.
if [ -z "$(git remote)" ]; then
  export GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=remote.origin.url GIT_CONFIG_VALUE_0=https://github.com/authwrap/authwrap
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# In place: dist/ and release/out/ (release/packages.sh) are ignored, so
# the tree stays as clean as it was.
dist="$PWD/dist"
"$goreleaser" release --snapshot --clean --skip=publish,sign >"$tmp/goreleaser.log" 2>&1 || {
  cat "$tmp/goreleaser.log"; fail "goreleaser failed (log above)"
}
cp "$tmp/goreleaser.log" "$dist/"

version="$(sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' "$dist/metadata.json" | head -1)"
commit="$(git rev-parse HEAD)"
commit_day="$(TZ=UTC git log -1 --format=%cd --date=format-local:%Y-%m-%d HEAD)"
[ -n "$version" ] || fail "no version in dist/metadata.json"
echo "release/check: snapshot $version of ${commit:0:12} with $go_pinned, in dist/"

# Archives: everything under one directory named as the archive.
targets="linux_amd64 linux_arm64 darwin_amd64 darwin_arm64 windows_amd64 windows_arm64"
for t in $targets; do
  dir="authwrap_${version}_$t"
  case "$t" in
    windows_*) a="$dist/$dir.zip"; bin=authwrap.exe
      [ -f "$a" ] || fail "missing $a"
      list="$(unzip -Z1 "$a")" ;;
    *) a="$dist/$dir.tar.gz"; bin=authwrap
      [ -f "$a" ] || fail "missing $a"
      list="$(tar -tzf "$a")" ;;
  esac
  stray="$(grep -v "^$dir/" <<<"$list" || true)"
  [ -z "$stray" ] || fail "$(basename "$a") has files outside $dir/: $(echo $stray)"
  for f in "$bin" LICENSE README.md man/authwrap.1 completions/authwrap.bash completions/_authwrap completions/authwrap.fish; do
    grep -qx "$dir/$f" <<<"$list" || fail "$(basename "$a") lacks $dir/$f (has: $(echo $list))"
  done
  sbom="$dist/authwrap_${version}_${t}.cdx.json"
  [ -s "$sbom" ] || fail "no SBOM for $t"
  grep -q '"bomFormat": *"CycloneDX"' "$sbom" || fail "the $t SBOM is not CycloneDX"
  grep -q 'github.com/99designs/keyring' "$sbom" || fail "the $t SBOM lists no dependencies"
  # sbomlicense.go writes the main component's keys in order.
  tr -d ' \n' <"$sbom" | grep -q '"licenses":\[{"license":{"id":"MIT"}}\],"name":"github.com/authwrap/authwrap"' ||
    fail "the $t SBOM does not name authwrap's licence (MIT)"
  echo "release/check: $(basename "$a"): $(echo $list)"
done
grep -q '^MIT License$' LICENSE || fail "LICENSE is not the MIT licence"

# The .deb: relative helper links, copyright (the LICENSE's text, in
# Debian's copyright format), changelog, a summary line and a long
# description.
deb="$(ls "$dist"/authwrap_*_amd64.deb)"
contents="$(dpkg-deb -c "$deb")"
for link in git-credential-authwrap docker-credential-authwrap terraform-credentials-authwrap cargo-credential-authwrap; do
  grep -q "./usr/bin/$link -> authwrap\$" <<<"$contents" || fail "$(basename "$deb") has no relative $link link:
$contents"
done
for f in ./usr/bin/authwrap ./usr/share/man/man1/authwrap.1.gz ./usr/share/bash-completion/completions/authwrap \
  ./usr/share/zsh/vendor-completions/_authwrap ./usr/share/fish/vendor_completions.d/authwrap.fish \
  ./usr/share/doc/authwrap/copyright ./usr/share/doc/authwrap/changelog.Debian.gz; do
  grep -q " $f\$" <<<"$contents" || fail "$(basename "$deb") lacks $f"
done
pkg="$tmp/pkg"
mkdir "$pkg"
dpkg-deb -x "$deb" "$pkg/deb"
copyright="$pkg/deb/usr/share/doc/authwrap/copyright"
grep -qx 'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/' "$copyright" &&
  grep -qx 'License: MIT' "$copyright" || fail "the .deb's copyright is not in Debian's format naming MIT"
# The last paragraph, License: MIT, holds the text, indented, "." for blank lines.
diff <(awk '/^License: MIT$/ {text = ""; next} {text = text $0 "\n"} END {printf "%s", text}' "$copyright" |
  sed 's/^ //; s/^\.$//') <(sed '1,4d' LICENSE) >/dev/null ||
  fail "release/copyright's licence text differs from LICENSE's"
changelog="$(gzip -dc "$pkg/deb/usr/share/doc/authwrap/changelog.Debian.gz")"
debversion="$(dpkg-deb -f "$deb" Version)"
grep -q "^authwrap ($debversion) " <<<"$changelog" || fail "the .deb's changelog has no entry for $debversion:
$changelog"
description="$(dpkg-deb -f "$deb" Description)"
summary="$(head -1 <<<"$description")"
[ "${#summary}" -le 80 ] && [ "${summary%.}" = "$summary" ] && [ "$(wc -l <<<"$description")" -gt 1 ] ||
  fail "the .deb's description wants a summary line (at most 80 characters, no full stop) and a long description:
$description"
echo "release/check: $(basename "$deb") ($debversion): $summary"; sed 's/^/  /' <<<"$contents"
# Debian's own judge of a package (overrides: .goreleaser.yaml).
if have lintian "the .deb's lintian check" command -v lintian; then
  verdict="$(lintian --fail-on error,warning --tag-display-limit 0 "$deb" 2>&1)" ||
    fail "lintian finds fault with $(basename "$deb"):
$verdict"
  echo "release/check: lintian: no errors or warnings"
fi

rpm="$(ls "$dist"/authwrap-*.x86_64.rpm)"
if have rpm "reading the .rpm" command -v rpm; then
  rpmlist="$(rpm -qlp "$rpm" 2>/dev/null)"
  for f in /usr/bin/authwrap /usr/bin/git-credential-authwrap /usr/bin/docker-credential-authwrap \
    /usr/bin/terraform-credentials-authwrap /usr/bin/cargo-credential-authwrap /usr/share/licenses/authwrap/LICENSE; do
    grep -qx "$f" <<<"$rpmlist" || fail "$(basename "$rpm") lacks $f"
  done
  [ "$(rpm -qp --qf '%{LICENSE}' "$rpm" 2>/dev/null)" = MIT ] || fail "$(basename "$rpm") does not say License: MIT"
  rpm -qp --changelog "$rpm" 2>/dev/null | grep -q . || fail "$(basename "$rpm") has no changelog"
  echo "release/check: $(basename "$rpm"): $(echo $rpmlist)"
elif [ ! -s "$rpm" ]; then
  fail "no rpm"
fi

(cd "$dist" && sha256sum -c checksums.txt >/dev/null) || fail "checksums.txt does not match"
echo "release/check: checksums.txt matches $(wc -l <"$dist/checksums.txt") files"

# The cask, staged as Homebrew does: each archive unpacked, the cask's
# renames done (a glob; the first match; one that matches nothing does
# nothing), then every file the cask installs must be there.
cask="$(find "$dist" -name authwrap.rb | head -1)"
scoop="$(find "$dist" -name authwrap.json | head -1)"
[ -n "$cask" ] || fail "no Homebrew cask"
[ -n "$scoop" ] || fail "no Scoop manifest"
stanza() { sed -n "s/^ *$1 \"\\([^\"]*\\)\".*/\\1/p" "$cask"; }
for t in darwin_amd64 darwin_arm64 linux_amd64 linux_arm64; do
  sum="$(grep "authwrap_${version}_$t.tar.gz" "$dist/checksums.txt" | cut -d' ' -f1)"
  grep -q "$sum" "$cask" || fail "the cask lacks the $t checksum"
  staged="$tmp/cask-$t"
  mkdir "$staged"
  tar -xzf "$dist/authwrap_${version}_$t.tar.gz" -C "$staged"
  while IFS=$'\t' read -r from to; do
    # shellcheck disable=SC2206 # the glob is the point
    match=("$staged"/$from)
    if [ -e "${match[0]}" ]; then mkdir -p "$(dirname "$staged/$to")" && mv "${match[0]}" "$staged/$to"; fi
  done < <(sed -n 's/^ *rename "\([^"]*\)", "\([^"]*\)"$/\1\t\2/p' "$cask")
  for f in $(stanza binary) $(stanza manpage) $(stanza bash_completion) $(stanza zsh_completion) $(stanza fish_completion); do
    [ -f "$staged/$f" ] || fail "the cask installs $f, which is not in the $t archive once staged"
  done
done
for t in windows_amd64 windows_arm64; do
  sum="$(grep "authwrap_${version}_$t.zip" "$dist/checksums.txt" | cut -d' ' -f1)"
  grep -q "$sum" "$scoop" || fail "the Scoop manifest lacks the $t checksum"
  grep -q "\"authwrap_${version}_$t/authwrap.exe\"" "$scoop" || fail "the Scoop manifest does not run authwrap.exe from the $t archive's directory"
done
grep -q '"license": *"MIT"' "$scoop" || fail "the Scoop manifest does not name the licence"
echo "release/check: Homebrew cask $(basename "$cask") (staged: $(echo $(stanza binary) $(stanza manpage) $(stanza zsh_completion))) and Scoop manifest $(basename "$scoop") carry the archives' checksums"

# A user's install: the README's own commands (the sh block after the
# marker in its install section), in a fresh home with the archive and
# checksums.txt in ~/Downloads; then each piece as that user meets it.
home="$tmp/home"
mkdir -p "$home/Downloads"
cp "$dist/authwrap_${version}_linux_amd64.tar.gz" "$dist/checksums.txt" "$home/Downloads/"
steps="$(awk '/<!-- release\/check.sh: install -->/ {m=1; next} m && /^```sh$/ {p=1; next} p && /^```$/ {exit} p' README.md)"
[ -n "$steps" ] || fail "README.md has no sh block after <!-- release/check.sh: install -->"
user() { env -i HOME="$home" PATH="$home/.local/bin:/usr/bin:/bin" LANG=C.UTF-8 "$@"; }
(cd "$home/Downloads" && user bash -euo pipefail -c "${steps//VERSION/$version}") >"$tmp/install.log" 2>&1 ||
  fail "the README's install steps fail:
${steps//VERSION/$version}
$(cat "$tmp/install.log")"

out="$(user authwrap version 2>&1)" || fail "authwrap version fails: $out"
[ "$out" = "authwrap $version+${commit:0:12}.$commit_day" ] ||
  fail "authwrap version says '$out', want 'authwrap $version+${commit:0:12}.$commit_day'"
built="$(go version "$home/.local/bin/authwrap")"
[ "${built##* }" = "$go_pinned" ] || fail "the binary is built with ${built##* }, not $go_pinned"
if ldd "$home/.local/bin/authwrap" >/dev/null 2>&1; then fail "the linux/amd64 binary is dynamically linked"; fi
echo "release/check: installed as the README says: $out, $go_pinned, static"

if have man "man authwrap" command -v man; then
  page="$(user man -w authwrap)" || fail "man finds no authwrap page next to ~/.local/bin"
  [ "$page" = "$home/.local/share/man/man1/authwrap.1" ] || fail "man finds $page, not ~/.local/share/man/man1/authwrap.1"
  user MANWIDTH=80 man -P cat authwrap 2>/dev/null | grep -q 'authwrap signs you in' || fail "man authwrap does not render the page"
  echo "release/check: man authwrap: ~/.local/share/man/man1/authwrap.1"
fi

want="login logout"
completed=""
# bash-completion loads ~/.local/share/bash-completion/completions/authwrap
# on first use; bash then runs its -C command with COMP_LINE and
# COMP_POINT set and the command, the word and the word before as
# arguments, as done here.
if have bash-completion "bash's completion" test -r /usr/share/bash-completion/bash_completion; then
  got="$(user bash --norc --noprofile -c '
source /usr/share/bash-completion/bash_completion
if declare -F _comp_load >/dev/null; then _comp_load authwrap; else _completion_loader authwrap; fi
spec=$(complete -p authwrap) || exit
eval "set -- ${spec#complete }"
cmd=
while [ $# -gt 1 ]; do if [ "$1" = -C ]; then cmd=$2; fi; shift; done
[ -n "$cmd" ] || { echo "no -C command in: $spec" >&2; exit 1; }
export COMP_LINE="authwrap lo" COMP_POINT=11
eval "$cmd authwrap lo authwrap"' | sort | xargs)" || true
  [ "$got" = "$want" ] || fail "bash completes 'authwrap lo' with '$got', want '$want'"
  completed="$completed bash"
fi
# zsh: compinit finds _authwrap on $fpath (the README's ~/.zshrc line);
# compadd stands in for zsh's, which works only in a completion widget.
if have zsh "zsh's completion" command -v zsh; then
  got="$(user zsh -f -c '
fpath=(~/.local/share/zsh/site-functions $fpath)
autoload -Uz compinit && compinit -u -D
[[ $_comps[authwrap] == _authwrap ]] || { print -u2 "compinit: authwrap -> ${_comps[authwrap]:-nothing}"; exit 1 }
compadd() { print -rl -- "${@[${@[(i)--]}+1,-1]}" }
words=(authwrap lo) CURRENT=2
$_comps[authwrap]' | sort | xargs)" || true
  [ "$got" = "$want" ] || fail "zsh completes 'authwrap lo' with '$got', want '$want'"
  completed="$completed zsh(compinit from fpath)"
fi
if have fish "fish's completion" command -v fish; then
  got="$(user fish -c 'complete -C "authwrap lo"' | sort | xargs)" || true
  [ "$got" = "$want" ] || fail "fish completes 'authwrap lo' with '$got', want '$want'"
  completed="$completed fish"
fi
[ -z "$completed" ] || echo "release/check: completing 'authwrap lo' gives '$want' in:$completed"
echo "release/check: ok"
