#!/usr/bin/env bash
# pgexport --jobs N against `psql \copy ... TO` on the same table in the same run: median wall
# time of each, the median of the per-run throughput ratios, and peak RSS (/usr/bin/time -v).
#   bench/parallel_export_bench.sh [--rows N] [--runs N] [--jobs "1 2 3 4"]
#   defaults: 1500000 rows, 5 runs, jobs 1 2 3 4 (each run: psql, then each --jobs in turn)
# Uses build-release/apps (else build/apps) or $PGMONKEY_BIN; starts its own throw-away cluster.
set -euo pipefail
cd "$(dirname "$0")/.."

rows=1500000 runs=5 jobs="1 2 3 4"
usage() { echo "usage: $0 [--rows N] [--runs N] [--jobs \"1 2 3 4\"]" >&2; exit 2; }
while (($#)); do
  case "$1" in
    --rows) rows=${2:-}; shift 2 || usage ;;
    --runs) runs=${2:-}; shift 2 || usage ;;
    --jobs) jobs=${2:-}; shift 2 || usage ;;
    *) usage ;;
  esac
done
[[ "$rows" =~ ^[0-9]+$ && "$runs" =~ ^[0-9]+$ && "$jobs" =~ ^[0-9\ ]+$ ]] || usage
source bench/lib.sh
bench_setup parallel_export_bench pgexport
bench_cluster
# A sequential scan of a big table may join another one mid-table (synchronized scans); off, so
# every file comes out in block order and the outputs can be compared byte for byte.
export PGOPTIONS="-c synchronize_seqscans=off"

echo "== generating $rows rows"
psql -q -v ON_ERROR_STOP=1 <<SQL
CREATE TABLE bench (id bigint, name text, note text, amount numeric(12,2), at timestamptz, flag boolean, tags text[]);
INSERT INTO bench
SELECT i, 'name ' || i, CASE WHEN i % 10 = 0 THEN NULL WHEN i % 7 = 0 THEN 'with, comma and "quotes"' ELSE md5(i::text) END,
       (i % 100000) / 100.0, timestamptz '2024-01-01' + i * interval '1 second', i % 2 = 0, ARRAY['a', 'b' || i]
FROM generate_series(1, $rows) i;
VACUUM ANALYZE bench;
SQL
psql -Atc "SELECT 'table ' || pg_size_pretty(pg_relation_size('bench'))"

# time_run LABEL OUTFILE CMD...: appends "seconds maxrss_kb" to $work/LABEL.times
time_run() {
  local label=$1 out=$2; shift 2
  rm -f "$out"
  /usr/bin/time -v -o "$work/time.txt" "$@" >/dev/null
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s}' "$work/time.txt")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")
  echo "$wall $rss" >>"$work/$label.times"
}

echo "== $runs runs, each: psql, then pgexport --jobs $jobs"
for ((i = 1; i <= runs; i++)); do
  time_run psql "$work/psql.csv" psql -q -c "\\copy bench TO '$work/psql.csv' WITH (FORMAT csv, HEADER)"
  for j in $jobs; do
    time_run "j$j" "$work/j$j.csv" "$bin/pgexport" -q -c "$work/conn.yaml" -t bench -o "$work/j$j.csv" --jobs "$j"
  done
done
for j in $jobs; do
  cmp -s "$work/psql.csv" "$work/j$j.csv" || { echo "parallel_export_bench: --jobs $j output differs from psql's" >&2; exit 1; }
done
size=$(stat -c %s "$work/psql.csv")

psql_s=$(cut -d' ' -f1 "$work/psql.times" | median)
printf "rows %d, file %.1f MB (identical bytes for psql and every --jobs), %d cores\n" "$rows" "$(awk -v s="$size" 'BEGIN {print s / 1e6}')" "$(nproc)"
printf "psql \\\\copy TO   : median %.3f s  peak RSS %.1f MB\n" "$psql_s" \
  "$(cut -d' ' -f2 "$work/psql.times" | sort -n | tail -n 1 | awk '{print $1 / 1024}')"
for j in $jobs; do
  s=$(cut -d' ' -f1 "$work/j$j.times" | median)
  rss=$(cut -d' ' -f2 "$work/j$j.times" | sort -n | tail -n 1)
  # Ratios within each run, then their median: a noisy neighbour slows one run, not one side of it.
  ratio=$(paste -d' ' "$work/psql.times" "$work/j$j.times" | awk '{printf "%.6f\n", $1 / $3}' | median)
  target=""
  [[ "$j" == 2 ]] && target=" (target >= 1.25x)"
  printf "pgexport --jobs %s: median %.3f s  peak RSS %.1f MB  ratio to psql %.2fx (median of per-run ratios; of medians %.2fx)%s\n" \
    "$j" "$s" "$(awk -v r="$rss" 'BEGIN {print r / 1024}')" "$ratio" "$(awk -v p="$psql_s" -v s="$s" 'BEGIN {print p / s}')" "$target"
done
