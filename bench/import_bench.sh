#!/usr/bin/env bash
# pgimport vs psql \copy on the same file and table in the same run, plus the cost of a
# Latin-1 file (detected and converted) and pgimport's peak RSS.
#
#   bench/import_bench.sh [--rows N] [--runs N] [--big]
#     --rows N   rows in the generated file (default 1000000)
#     --runs N   timed runs per variant; medians are printed (default 5)
#     --big      also stream about 1 GB through standard input and report peak RSS for it
#   PGMONKEY_BIN=DIR  where the built tools are (default: build-release/apps, then build/apps)
set -euo pipefail
cd "$(dirname "$0")/.."

rows=1000000 runs=5 big=0
while (($#)); do
  case "$1" in
    --rows) rows=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --big) big=1; shift ;;
    *) echo "usage: $0 [--rows N] [--runs N] [--big]" >&2; exit 2 ;;
  esac
done
source bench/lib.sh
bench_setup import_bench pgimport

echo "== generating $rows rows"
bench_generate "$rows" > "$work/data.csv"
iconv -f UTF-8 -t LATIN1 "$work/data.csv" > "$work/data_latin1.csv"
size=$(stat -c %s "$work/data.csv")
echo "   $work/data.csv: $((size / 1000000)) MB"

bench_cluster
psql -X -q -c "CREATE TABLE t (id bigint, name text, note text, amount numeric, city text, created timestamp)"

run_psql() {
  psql -X -q -c "TRUNCATE t" -c "CHECKPOINT"
  local t0; t0=$(now)
  psql -X -q -v ON_ERROR_STOP=1 -c "\\copy t FROM '$work/data.csv' WITH (FORMAT csv, HEADER)" >/dev/null
  calc "$(now) - $t0"; echo
}
run_pgimport() {  # file
  psql -X -q -c "TRUNCATE t" -c "CHECKPOINT"
  local t0; t0=$(now)
  "$bin/pgimport" -c "$work/conn.yaml" --table t --progress never -q "$1" >/dev/null
  calc "$(now) - $t0"; echo
}

echo "== $runs runs each (alternating)"
: > "$work/psql.t"; : > "$work/utf8.t"; : > "$work/latin1.t"
for ((i = 1; i <= runs; i++)); do
  run_psql >> "$work/psql.t"
  run_pgimport "$work/data.csv" >> "$work/utf8.t"
  run_pgimport "$work/data_latin1.csv" >> "$work/latin1.t"
  printf '   run %d: psql %.2f s, pgimport %.2f s, pgimport latin1 %.2f s\n' "$i" \
    "$(tail -n1 "$work/psql.t")" "$(tail -n1 "$work/utf8.t")" "$(tail -n1 "$work/latin1.t")"
done
count=$(psql -X -A -t -c "SELECT count(*) FROM t")
[[ "$count" == "$rows" ]] || { echo "import_bench: expected $rows rows, found $count" >&2; exit 1; }

# Ratios within each run, then their median: a noisy neighbour slows one run, not one side of it.
paste "$work/psql.t" "$work/utf8.t" | awk '{printf "%.6f\n", $1 / $2}' > "$work/ratio.t"
paste "$work/latin1.t" "$work/utf8.t" | awk '{printf "%.6f\n", $1 / $2}' > "$work/latin1_ratio.t"
ratio_m=$(median < "$work/ratio.t")
latin1_ratio_m=$(median < "$work/latin1_ratio.t")
psql_m=$(median < "$work/psql.t")
utf8_m=$(median < "$work/utf8.t")
latin1_m=$(median < "$work/latin1.t")
psql -X -q -c "TRUNCATE t"
/usr/bin/time -v "$bin/pgimport" -c "$work/conn.yaml" --table t --progress never -q "$work/data.csv" \
  >/dev/null 2> "$work/time.txt"
rss_kb=$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$work/time.txt")

echo "== results ($rows rows, $((size / 1000000)) MB, median of $runs)"
printf 'psql \\copy           %8.2f s  %8.1f MB/s\n' "$psql_m" "$(calc "$size / $psql_m / 1000000")"
printf 'pgimport (UTF-8)     %8.2f s  %8.1f MB/s\n' "$utf8_m" "$(calc "$size / $utf8_m / 1000000")"
printf 'pgimport (Latin-1)   %8.2f s\n' "$latin1_m"
printf 'throughput ratio pgimport/psql: %.2f (median of per-run ratios; of medians %.2f) (target >= 1.00)\n' \
  "$ratio_m" "$(calc "$psql_m / $utf8_m")"
printf 'Latin-1 time / UTF-8 time: %.3f (median of per-run ratios) (target <= 1.10)\n' "$latin1_ratio_m"
printf 'pgimport peak RSS: %.1f MB (target < 20 MB)\n' "$(calc "$rss_kb / 1024")"

if ((big)); then
  echo "== about 1 GB through standard input (peak RSS)"
  psql -X -q -c "TRUNCATE t"
  copies=$(( (1000000000 + size - 1) / size ))
  { head -n 1 "$work/data.csv"; for ((i = 0; i < copies; i++)); do tail -n +2 "$work/data.csv"; done; } |
    /usr/bin/time -v "$bin/pgimport" -c "$work/conn.yaml" --table t --progress never -q - >/dev/null 2> "$work/time_big.txt"
  big_rss=$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$work/time_big.txt")
  big_wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/time_big.txt")
  printf '1 GB: %d copies, wall %s, peak RSS %.1f MB\n' "$copies" "$big_wall" "$(calc "$big_rss / 1024")"
fi
