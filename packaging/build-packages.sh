#!/usr/bin/env bash
# Builds the binary packages (CPack DEB and RPM) from a build folder, and the Debian source
# package with dpkg-buildpackage in a scratch copy of the tree, checked with lintian.
#   packaging/build-packages.sh BUILD_DIR OUT_DIR
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

echo "== dpkg-buildpackage -us -uc"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
src="$scratch/pgmonkey-$(sed -n '1s/.*(\(.*\)).*/\1/p' packaging/debian/changelog)"
mkdir -p "$src"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  git ls-files -z | tar --null -T - -cf - | tar -xf - -C "$src"
else
  tar --exclude='./build*' -cf - . | tar -xf - -C "$src"
fi
cp -r packaging/debian "$src/debian"
(cd "$src" && dpkg-buildpackage -us -uc >"$out/dpkg-buildpackage.log" 2>&1) \
  || { tail -40 "$out/dpkg-buildpackage.log" >&2; exit 1; }
mkdir -p "$out/debian"
cp "$scratch"/*.deb "$scratch"/*.dsc "$scratch"/*.changes "$scratch"/*.buildinfo "$scratch"/*.tar.* "$out/debian/"

echo "== lintian"
lintian --fail-on error --tag-display-limit 0 "$out"/debian/*.changes "$out"/*.deb | tee "$out/lintian.log"
echo "packages in $out"
