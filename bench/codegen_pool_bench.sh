#!/usr/bin/env bash
# Acquisition latency of generated C++ pools with check_on_checkout: p50 and p99 of acquire() over
# N checkouts (SELECT 1 each) from T threads, for two pool programs, run alternately A B A B
# against one throw-away cluster; prints every run, the medians and the medians of the ratios B/A
# of each A B pair.
#
#   bench/codegen_pool_bench.sh A.cpp B.cpp [--checkouts N] [--threads T] [--runs R] [--max-size M]
#     A.cpp, B.cpp  pool programs from `pgconfig generate-code --connection-type pool` (say, of two
#                   pgmonkey versions); each is compiled into tests/integration/codegen_drivers/pool_driver.cpp
#     defaults: N 10000, T 4, R 5, M 4 (min_size = max_size = M)
set -euo pipefail
cd "$(dirname "$0")/.."

[[ $# -ge 2 ]] || { echo "usage: $0 A.cpp B.cpp [--checkouts N] [--threads T] [--runs R] [--max-size M]" >&2; exit 2; }
a=$(realpath "$1") b=$(realpath "$2")
shift 2
checkouts=10000 threads=4 runs=5 max_size=4
while (($#)); do
  case "$1" in
    --checkouts) checkouts=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --max-size) max_size=$2; shift 2 ;;
    *) echo "codegen_pool_bench: unknown option $1" >&2; exit 2 ;;
  esac
done

work=$(mktemp -d "${TMPDIR:-/tmp}/codegen_pool_bench.XXXXXX")
cluster=""
cleanup() { if [[ -n "$cluster" ]]; then scripts/pgcluster stop "$cluster"; fi; rm -rf "$work"; }
trap cleanup EXIT
flags=$(pkg-config --cflags --libs libpqxx libpq yaml-cpp)
for v in a b; do
  src=$a; [[ $v == b ]] && src=$b
  # shellcheck disable=SC2086
  g++ -std=c++17 -O2 -pthread -I"$(dirname "$src")" -DPOOL_SOURCE="\"$(basename "$src")\"" \
      -o "$work/$v" tests/integration/codegen_drivers/pool_driver.cpp $flags
done
cluster=$(scripts/pgcluster start)
# shellcheck disable=SC1091
source "$cluster/env"
cat >"$work/bench.yaml" <<YAML
connection_settings:
  host: '$PGHOST'
  port: $PGPORT
  user: '$PGUSER'
  password: '$PGPASSWORD'
  dbname: '$PGDATABASE'
  sslmode: disable
sync_settings:
  statement_timeout: '20000'
pool_settings:
  min_size: $max_size
  max_size: $max_size
  timeout: 10
  check_on_checkout: true
YAML

echo "acquire() in microseconds, $checkouts checkouts, $threads threads, max_size $max_size"
for ((r = 1; r <= runs; r++)); do
  for v in a b; do
    read -r _ p50 p99 max < <(echo "bench $checkouts $threads" | "$work/$v" "$work/bench.yaml" | tail -n 1)
    echo "run $r $v: p50 $p50 p99 $p99 max $max" | tee -a "$work/results"
  done
done
python3 - "$work/results" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
runs = {}
for r in rows:
    runs.setdefault(r[1], {})[r[2].rstrip(":")] = (int(r[4]), int(r[6]))
for v in "ab":
    print(f"median {v}: p50 {statistics.median(x[v][0] for x in runs.values()):g} "
          f"p99 {statistics.median(x[v][1] for x in runs.values()):g}")
for i, name in enumerate(("p50", "p99")):
    ratios = [x["b"][i] / max(x["a"][i], 1) for x in runs.values()]
    print(f"median of ratios b/a, {name}: {statistics.median(ratios):.2f}")
PY
