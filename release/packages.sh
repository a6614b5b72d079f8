#!/bin/sh
# Writes what the .deb and .rpm take that git does not hold, into
# release/out/ (ignored by git): the changelog for the version being built,
# as nfpm reads it (a chglog YAML file; the .deb's
# /usr/share/doc/authwrap/changelog.Debian.gz, the .rpm's %changelog), and
# the man page gzipped, as Debian's policy wants it. GoReleaser runs it
# first (before: hooks in .goreleaser.yaml):
#
#   release/packages.sh VERSION RELEASE COMMIT_DATE IS_SNAPSHOT COMMIT
#
# The changelog has one entry, pointing to the release's notes; a snapshot
# says which commit it is and that it is no release.
set -eu
[ $# -eq 5 ] || { echo "usage: release/packages.sh VERSION RELEASE COMMIT_DATE IS_SNAPSHOT COMMIT" >&2; exit 2; }
version=$1 release=$2 date=$3 snapshot=$4 commit=$5
case "$version$release" in *[!0-9A-Za-z.~+-]*) echo "release/packages.sh: odd version $version-$release" >&2; exit 1 ;; esac
cd "$(dirname "$0")"
mkdir -p out

# The .deb's version as nfpm makes it: 1.2.3-rc1 is 1.2.3~rc1 (sorting
# before 1.2.3), then the package's release.
debversion="$(printf '%s' "$version" | sed 's/-/~/')-$release"
if [ "$snapshot" = true ]; then
  note="Snapshot of commit $commit, not a release."
  distribution=UNRELEASED
else
  note="Release $version: https://github.com/authwrap/authwrap/releases/tag/v$version"
  distribution=stable
fi
cat >out/changelog.yml.tmp <<YAML
- semver: "$debversion"
  date: "$date"
  packager: authwrap maintainers <maintainers@authwrap.invalid>
  deb:
    urgency: medium
    distributions: [$distribution]
  changes:
    - note: "$note"
YAML
mv out/changelog.yml.tmp out/changelog.yml

gzip -9nc authwrap.1 >out/authwrap.1.gz.tmp
mv out/authwrap.1.gz.tmp out/authwrap.1.gz
