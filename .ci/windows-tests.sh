#!/usr/bin/env bash
# Runs the Windows test binaries under Debian's wine: the packages that
# can run there are cross-compiled (GOOS=windows) and each binary runs in
# a private WINEPREFIX, under a terminal (script) so that the process has
# a console, as a person at cmd.exe or Windows Terminal would.
#
# Two gaps of wine 8.0 are bridged for the tests only (nothing shipped):
#  - Go needs ProcessPrng from bcryptprimitives.dll (Windows 10), which
#    wine 8.0 lacks: a stand-in built from .ci/wine/bcryptprimitives.c with
#    mingw-w64 goes into the prefix's system32.
#  - Go's os.RemoveAll deletes with FileDispositionInformationEx (Windows
#    10 1607), which wine 8.0 answers with STATUS_NOT_IMPLEMENTED rather
#    than the "not supported" Go falls back on, so every t.TempDir cleanup
#    would fail: the test binaries are built with a copy of the toolchain
#    whose one standard-library file takes Go's own fallback on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

packages="${*:-./flow ./flow/authkittest ./protocol ./helper ./helper/internal/keyringenv ./internal/config ./internal/credhelper ./internal/fsutil ./internal/integrate ./internal/safetext ./internal/shell ./internal/term ./examples/mycli}"

cache="${XDG_CACHE_HOME:-$HOME/.cache}/authwrap-ci"
export WINEPREFIX="$cache/wineprefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
dll="$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll"
if [ ! -f "$dll" ] || [ .ci/wine/bcryptprimitives.c -nt "$dll" ]; then
  mkdir -p "$cache"
  wineboot -i >/dev/null 2>&1
  x86_64-w64-mingw32-gcc -O2 -shared -o "$dll" .ci/wine/bcryptprimitives.c -ladvapi32
fi

work="$(mktemp -d)"
trap 'wineserver -k 2>/dev/null || true; rm -rf "$work"' EXIT

# The patched toolchain: a copy of this Go's GOROOT (cached per version),
# since the go command refuses an overlay of files in the module cache,
# where GOTOOLCHAIN puts it.
goversion="$(go env GOVERSION)"
goroot="$cache/goroot-wine-$goversion"
if [ ! -x "$goroot/bin/go" ]; then
  rm -rf "$goroot.tmp"
  cp -a "$(go env GOROOT)" "$goroot.tmp"
  chmod -R u+w "$goroot.tmp"
  f="$goroot.tmp/src/internal/syscall/windows/at_windows.go"
  cp "$f" "$work/at_windows.orig"
  sed -i '/STATUS_NOT_SUPPORTED:/,/return err.(NTStatus).Errno()/ s/return err.(NTStatus).Errno()/return deleteatFallback(h)/' "$f"
  if cmp -s "$f" "$work/at_windows.orig"; then
    echo "windows-tests: the RemoveAll patch no longer applies to $goversion's at_windows.go; look again at wine's gap" >&2
    exit 1
  fi
  mv "$goroot.tmp" "$goroot"
fi
gocmd="$goroot/bin/go"

# No browser: a sign-in under wine would hand its URL to the host's xdg-open.
export AUTHWRAP_REQUIRE_CONSOLE=1 BROWSER=none
# What CI requires of Linux (keyctl, namespaces, Chromium) does not exist there.
unset AUTHWRAP_REQUIRE_KEYCTL AUTHWRAP_REQUIRE_NAMESPACES AUTHWRAP_REQUIRE_BROWSER
failed=""
for pkg in $packages; do
  name="$(echo "$pkg" | tr -c 'a-zA-Z0-9\n' _)"
  GOTOOLCHAIN=local GOOS=windows GOARCH=amd64 "$gocmd" test -c -o "$work/$name.test.exe" "$pkg"
  [ -f "$work/$name.test.exe" ] || continue # no test files
  echo "== windows/amd64 under wine: $pkg"
  # script gives wine a terminal, hence a console; its exit status is the test binary's.
  if ! (cd "$work" && script -qec "wine ./$name.test.exe -test.timeout 5m" /dev/null </dev/null | tr -d '\r' | sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g' | grep -Ev '^(=== RUN|--- PASS)' ; exit "${PIPESTATUS[0]}"); then
    failed="$failed $pkg"
  fi
done
if [ -n "$failed" ]; then
  echo "windows-tests: failed under wine:$failed" >&2
  exit 1
fi
echo "windows-tests: all passed under wine"
