#!/usr/bin/env bash
# pgexport against `psql \copy ... TO` on the same table in the same run: median wall time of
# each, the throughput ratio, and peak RSS (from /usr/bin/time -v).
#   bench/export_bench.sh [--rows N] [--runs N]   defaults: 1000000 rows, 5 runs each
# Uses build-release/apps (else build/apps) or $PGMONKEY_BIN; starts its own throw-away cluster.
set -euo pipefail
cd "$(dirname "$0")/.."

rows=1000000 runs=5
usage() { echo "usage: $0 [--rows N] [--runs N]" >&2; exit 2; }
while (($#)); do
  case "$1" in
    --rows) rows=${2:-}; shift 2 || usage ;;
    --runs) runs=${2:-}; shift 2 || usage ;;
    *) usage ;;
  esac
done
[[ "$rows" =~ ^[0-9]+$ && "$runs" =~ ^[0-9]+$ ]] || usage
source bench/lib.sh
bench_setup export_bench pgexport
bench_cluster

echo "== generating $rows rows"
psql -q -v ON_ERROR_STOP=1 <<SQL
CREATE TABLE bench (id bigint, name text, note text, amount numeric(12,2), at timestamptz, flag boolean, tags text[]);
INSERT INTO bench
SELECT i, 'name ' || i, CASE WHEN i % 10 = 0 THEN NULL WHEN i % 7 = 0 THEN 'with, comma and "quotes"' ELSE md5(i::text) END,
       (i % 100000) / 100.0, timestamptz '2024-01-01' + i * interval '1 second', i % 2 = 0, ARRAY['a', 'b' || i]
FROM generate_series(1, $rows) i;
VACUUM ANALYZE bench;
SQL

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

echo "== $runs runs each, alternating"
for ((i = 1; i <= runs; i++)); do
  time_run psql "$work/psql.csv" psql -q -c "\\copy bench TO '$work/psql.csv' WITH (FORMAT csv, HEADER)"
  time_run pgexport "$work/pgexport.csv" "$bin/pgexport" -q -c "$work/conn.yaml" -t bench -o "$work/pgexport.csv"
done
cmp -s "$work/psql.csv" "$work/pgexport.csv" || { echo "export_bench: outputs differ" >&2; exit 1; }
size=$(stat -c %s "$work/pgexport.csv")

psql_s=$(cut -d' ' -f1 "$work/psql.times" | median)
ours_s=$(cut -d' ' -f1 "$work/pgexport.times" | median)
psql_rss=$(cut -d' ' -f2 "$work/psql.times" | sort -n | tail -n 1)
ours_rss=$(cut -d' ' -f2 "$work/pgexport.times" | sort -n | tail -n 1)
# Ratios within each run, then their median: a noisy neighbour slows one run, not one side of it.
ratio=$(paste -d' ' "$work/psql.times" "$work/pgexport.times" | awk '{printf "%.6f\n", $1 / $3}' | median)

awk -v rows="$rows" -v size="$size" -v ps="$psql_s" -v os="$ours_s" -v pr="$psql_rss" -v or="$ours_rss" -v ratio="$ratio" 'BEGIN {
  printf "rows %d, file %.1f MB (identical bytes)\n", rows, size / 1e6
  printf "psql \\copy TO : median %.3f s  %.1f MB/s  peak RSS %.1f MB\n", ps, size / 1e6 / ps, pr / 1024
  printf "pgexport      : median %.3f s  %.1f MB/s  peak RSS %.1f MB\n", os, size / 1e6 / os, or / 1024
  printf "throughput ratio pgexport/psql: %.2fx (median of per-run ratios; of medians %.2fx) (target >= 1.00x)\n", ratio, ps / os
  printf "RSS target < 20 MB: %s\n", (or / 1024 < 20) ? "ok" : "EXCEEDED"
}'
