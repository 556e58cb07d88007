#!/usr/bin/env bash
# The test command: install what is missing, build with warnings as errors, run the unit tests
# and the integration tests against throw-away PostgreSQL clusters; then the same again under
# AddressSanitizer + UBSan.
#   scripts/test.sh              everything
#   scripts/test.sh --quick      one build (no sanitizers)
set -euo pipefail
cd "$(dirname "$0")/.."

quick=0
[[ "${1:-}" == "--quick" ]] && quick=1

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
echo "== all tests passed"
