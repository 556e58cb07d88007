#!/usr/bin/env bash
# The test command: install what is missing, build with warnings as errors, run the unit tests
# and the integration tests against throw-away PostgreSQL clusters; then the same again under
# AddressSanitizer + UBSan.
# Then the whole suite (unit, integration, packaging) once more in a Debian 13 root with
# libpqxx 7 and PostgreSQL 17 (scripts/debian13.sh).
#   scripts/test.sh              everything
#   scripts/test.sh --quick      one build (no sanitizers)
#   scripts/test.sh --no-debian13   only on this system
set -euo pipefail
cd "$(dirname "$0")/.."

quick=0
debian13=1
for arg in "$@"; do
  case $arg in
    --quick) quick=1 ;;
    --no-debian13) debian13=0 ;;
    *) echo "usage: scripts/test.sh [--quick] [--no-debian13]" >&2; exit 2 ;;
  esac
done
[[ -n "${PGMONKEY_IN_DEBIAN13:-}" ]] && debian13=0  # already inside it

scripts/install-deps.sh --packaging

jobs=$(nproc 2>/dev/null || echo 2)
PY=/usr/bin/python3  # Debian's python, which has python3-pytest and python3-psycopg

run_suite() {  # build-dir, cmake flags...
  local dir=$1; shift
  echo "== build $dir ($*)"
  cmake -S . -B "$dir" -DPGMONKEY_WERROR=ON "$@" >/dev/null
  cmake --build "$dir" -j "$jobs"
  echo "== unit tests ($dir)"
  ctest --test-dir "$dir" --output-on-failure
  echo "== integration tests ($dir)"
  PGMONKEY_BIN="$PWD/$dir/apps" "$PY" -m pytest -q -p no:cacheprovider tests/integration
}

run_suite build-release -DCMAKE_BUILD_TYPE=Release

echo "== packages (cmake --install, CPack DEB/RPM, dpkg-buildpackage + lintian)"
rm -rf build-release/packages
packaging/build-packages.sh build-release build-release/packages
PGMONKEY_BUILD="$PWD/build-release" "$PY" -m pytest -q -p no:cacheprovider tests/packaging
if ((quick == 0)); then
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  run_suite build-asan -DCMAKE_BUILD_TYPE=Debug -DPGMONKEY_SANITIZE=ON
fi

# --- fuzzing: every libFuzzer target briefly (about a minute in all), with a fixed seed and
# input count so every machine runs the same inputs; a crash fails CI. Longer: scripts/fuzz.sh SECONDS.
if ((quick == 0)); then
  FUZZ_SEED=1 FUZZ_RUNS=60000 scripts/fuzz.sh 10
fi
# ---- Debian 13 (trixie): libpqxx 7, PostgreSQL 17, its own packages and lintian -------------
# The same script in a debootstrap'd root, from a fresh copy of this tree (one Release build:
# the sanitizer pass above already covers the code).
if ((debian13 == 1)); then
  sudo=
  [[ $(id -u) -ne 0 ]] && sudo=sudo
  $sudo scripts/debian13.sh --quick
fi
# ---- end Debian 13 --------------------------------------------------------------------------

echo "== all tests passed"
