#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz) with clang in build-fuzz and runs each for a while,
# starting from its seeds in tests/fuzz/corpus/<target>/. A crash, leak, timeout or sanitizer
# report fails the run; the input that caused it is kept in build-fuzz/crashes/<target>/.
#   scripts/fuzz.sh [SECONDS] [TARGET...]    SECONDS per target (default 60); all targets by default
#   FUZZ_SEED=N FUZZ_RUNS=M scripts/fuzz.sh  a fixed seed and at most M inputs per target (CI):
#                                            the same inputs on every machine, SECONDS a cap
# New inputs the fuzzer finds go to a scratch corpus, not into the repository; a crash found
# this way becomes a unit test.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
shift || true
[[ "$seconds" =~ ^[0-9]+$ ]] || { echo "usage: scripts/fuzz.sh [SECONDS] [TARGET...]" >&2; exit 2; }
build=${PGMONKEY_FUZZ_BUILD_DIR:-build-fuzz}

if ! command -v clang++ >/dev/null; then
  echo "fuzz: skipped, clang++ is not installed (scripts/install-deps.sh installs it)" >&2
  exit 0
fi

echo "== build $build (clang, libFuzzer + ASan + UBSan)"
CC=clang CXX=clang++ cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPGMONKEY_FUZZ=ON >/dev/null
cmake --build "$build" -j "$(nproc 2>/dev/null || echo 2)" | { grep -E 'error:|warning:' || true; }

targets=("$@")
if ((${#targets[@]} == 0)); then
  for f in tests/fuzz/fuzz_*.cpp; do t=$(basename "$f" .cpp); targets+=("${t#fuzz_}"); done
fi

scratch=$(mktemp -d "${TMPDIR:-/tmp}/pgmonkey-fuzz.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:symbolize=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
failed=()
for t in "${targets[@]}"; do
  bin=$build/tests/fuzz/fuzz_$t
  [[ -x "$bin" ]] || { echo "fuzz: no target $t" >&2; exit 2; }
  mkdir -p "$scratch/$t" "$build/crashes/$t"
  seed_args=()
  [[ -n "${FUZZ_SEED:-}" ]] && seed_args+=(-seed="$FUZZ_SEED")
  [[ -n "${FUZZ_RUNS:-}" ]] && seed_args+=(-runs="$FUZZ_RUNS")
  echo "== fuzz $t for ${seconds}s${FUZZ_RUNS:+ or $FUZZ_RUNS inputs}"
  # -timeout: one input taking this long is a hang; generous so a loaded machine does not flake.
  if ! "$bin" -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=0 \
       "${seed_args[@]}" -artifact_prefix="$build/crashes/$t/" "$scratch/$t" "tests/fuzz/corpus/$t" \
       >"$scratch/$t.log" 2>&1; then
    tail -n 60 "$scratch/$t.log" >&2
    failed+=("$t")
  else
    grep -E '^(Done|#[0-9]+ *DONE)' "$scratch/$t.log" | tail -n 1 || true
  fi
done
if ((${#failed[@]})); then
  echo "fuzz: FAILED: ${failed[*]} (inputs in $build/crashes/)" >&2
  exit 1
fi
echo "== fuzz: ${#targets[@]} targets ran without a finding"
