#!/usr/bin/env bash
# Builds the binary packages (CPack DEB and RPM) from a build folder, and the Debian package
# with `dpkg-buildpackage -us -uc -b` in a scratch copy of the repository (debian/ is at its
# root), then checks both .deb files with lintian.
#   packaging/build-packages.sh BUILD_DIR OUT_DIR
# OUT_DIR gets pgmonkey_V_ARCH.cpack.deb and the .rpm from CPack, debian/pgmonkey_V_ARCH.deb
# (+ .changes, .buildinfo) from dpkg-buildpackage, and lintian.log.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:?usage: build-packages.sh BUILD_DIR OUT_DIR}
out=${2:?usage: build-packages.sh BUILD_DIR OUT_DIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)

echo "== cpack (DEB, RPM) from $build"
cmake --build "$build" -j "$(nproc 2>/dev/null || echo 2)"
(cd "$build" && cpack -G DEB -B "$out/cpack" >/dev/null && cpack -G RPM -B "$out/cpack" >/dev/null)
cp "$out"/cpack/*.deb "$out"/cpack/*.rpm "$out"/

echo "== dpkg-buildpackage -us -uc -b"
# A fixed scratch path per build folder, so a compiler cache (CMAKE_CXX_COMPILER_LAUNCHER=ccache)
# sees the same paths every time.
scratch=$(cd "$build" && pwd)/dpkg-buildpackage
rm -rf "$scratch"
trap 'rm -rf "$scratch"' EXIT
src="$scratch/pgmonkey"
mkdir -p "$src"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  # The tracked files plus uncommitted edits to them, as a clone would have them.
  git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf - | tar -xf - -C "$src"
else
  tar --exclude='./build*' --exclude='./obj-*' -cf - . | tar -xf - -C "$src"
fi
(cd "$src" && dpkg-buildpackage -us -uc -b >"$out/dpkg-buildpackage.log" 2>&1) \
  || { tail -40 "$out/dpkg-buildpackage.log" >&2; exit 1; }
rm -rf "$out/debian"
mkdir -p "$out/debian"
cp "$scratch"/*.deb "$scratch"/*.changes "$scratch"/*.buildinfo "$out/debian/"

echo "== lintian -EvIL +pedantic"
# Every tag is listed (info and pedantic too); tests/packaging fails on errors, warnings and
# any hardening-no-* tag. One run per package: both are pgmonkey of the same version, and
# lintian given both in one run checks only one of them.
: >"$out/lintian.log"
failed=0
for target in "$out"/debian/*.changes "$out"/*.cpack.deb; do
  echo "-- lintian $(basename "$target")" | tee -a "$out/lintian.log"
  lintian -EvIL +pedantic --fail-on error,warning --tag-display-limit 0 "$target" >"$out/lintian.part" 2>&1 \
    || failed=1
  grep -v 'running with root privileges' "$out/lintian.part" | tee -a "$out/lintian.log" || true
done
rm -f "$out/lintian.part"
((failed == 0)) || { echo "lintian reported errors or warnings (see $out/lintian.log)" >&2; exit 1; }
echo "packages in $out"
