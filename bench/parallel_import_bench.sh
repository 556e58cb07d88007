#!/usr/bin/env bash
# pgimport --jobs N vs one psql \copy FROM on the same file in the same run: an existing table
# (two-phase), a new table (rename), and --jobs 1 (the one-session path) for reference; also two
# psql \copy sessions on the file's two halves at once (not atomic: the ceiling for 2 sessions).
#
#   bench/parallel_import_bench.sh [--rows N] [--runs N] [--scale "2 3 4"]
#     --rows N     rows in the generated file (default 1000000)
#     --runs N     paired runs; medians of per-run ratios are printed (default 5)
#     --scale LIST also time --jobs for each N in LIST into the existing table (default: none)
#   PGMONKEY_BIN=DIR  where the built tools are (default: build-release/apps, then build/apps)
set -euo pipefail
cd "$(dirname "$0")/.."

rows=1000000 runs=5 scale=""
while (($#)); do
  case "$1" in
    --rows) rows=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --scale) scale=$2; shift 2 ;;
    *) echo "usage: $0 [--rows N] [--runs N] [--scale \"2 3 4\"]" >&2; exit 2 ;;
  esac
done
source bench/lib.sh
bench_setup parallel_import_bench pgimport

# The same data as bench/import_bench.sh: quoted fields, doubled quotes, embedded newlines.

echo "== generating $rows rows"
bench_generate "$rows" > "$work/data.csv"
size=$(stat -c %s "$work/data.csv")
half=$(grep -n "^$((rows / 2))," "$work/data.csv" | head -n 1 | cut -d: -f1)
head -n $((half - 1)) "$work/data.csv" > "$work/half1.csv"
tail -n +"$half" "$work/data.csv" > "$work/half2.csv"
echo "   $work/data.csv: $((size / 1000000)) MB"

bench_cluster
cols="id bigint, name text, note text, amount numeric, city text, created timestamp"
psql -X -q -c "CREATE TABLE t ($cols)"

# Each variant: prepare outside the clock, then time the load alone.
existing() { psql -X -q -c "TRUNCATE t" -c "CHECKPOINT"; }
fresh() { psql -X -q -c "SET client_min_messages = warning" -c "DROP TABLE IF EXISTS n" -c "CHECKPOINT"; }
timed() { local t0; t0=$(now); "$@" >/dev/null; calc "$(now) - $t0"; echo; }
psql_existing() { existing; timed psql -X -q -v ON_ERROR_STOP=1 -c "\\copy t FROM '$work/data.csv' WITH (FORMAT csv, HEADER)"; }
psql_halves() {
  existing
  local t0; t0=$(now)
  psql -X -q -v ON_ERROR_STOP=1 -c "\\copy t FROM '$work/half1.csv' WITH (FORMAT csv, HEADER)" >/dev/null &
  psql -X -q -v ON_ERROR_STOP=1 -c "\\copy t FROM '$work/half2.csv' WITH (FORMAT csv)" >/dev/null
  wait
  calc "$(now) - $t0"; echo
}
psql_new() {
  fresh
  timed psql -X -q -v ON_ERROR_STOP=1 -c "BEGIN" -c "CREATE TABLE n ($cols)" \
    -c "\\copy n FROM '$work/data.csv' WITH (FORMAT csv, HEADER)" -c "COMMIT"
}
pgimport_existing() { existing; timed "$bin/pgimport" -c "$work/conn.yaml" --table t --progress never -q -j "$1" "$work/data.csv"; }
pgimport_new() { fresh; timed "$bin/pgimport" -c "$work/conn.yaml" --table n --infer-types --progress never -q -j "$1" "$work/data.csv"; }

echo "== $runs runs each (alternating)"
for f in psql_e j1_e j2_e psql_n j2_n psql2_e; do : > "$work/$f.t"; done
for n in $scale; do : > "$work/s$n.t"; done
for ((i = 1; i <= runs; i++)); do
  psql_existing >> "$work/psql_e.t"
  pgimport_existing 1 >> "$work/j1_e.t"
  pgimport_existing 2 >> "$work/j2_e.t"
  psql_new >> "$work/psql_n.t"
  pgimport_new 2 >> "$work/j2_n.t"
  psql_halves >> "$work/psql2_e.t"
  for n in $scale; do pgimport_existing "$n" >> "$work/s$n.t"; done
  printf '   run %d: existing: psql %.2f s, -j1 %.2f s, -j2 %.2f s, 2 psql on halves %.2f s; new: psql %.2f s, -j2 %.2f s\n' \
    "$i" "$(tail -n1 "$work/psql_e.t")" "$(tail -n1 "$work/j1_e.t")" "$(tail -n1 "$work/j2_e.t")" \
    "$(tail -n1 "$work/psql2_e.t")" "$(tail -n1 "$work/psql_n.t")" "$(tail -n1 "$work/j2_n.t")"
done
for table in t n; do
  count=$(psql -X -A -t -c "SELECT count(*) FROM $table")
  [[ "$count" == "$rows" ]] || { echo "parallel_import_bench: $table: expected $rows rows, found $count" >&2; exit 1; }
done

# Ratios within each run, then their median: a noisy neighbour slows one run, not one side of it.
ratio() { paste "$work/$1.t" "$work/$2.t" | awk '{printf "%.6f\n", $1 / $2}' | median; }
echo "== results ($rows rows, $((size / 1000000)) MB, medians of $runs paired runs; ratio = psql time / pgimport time)"
printf 'existing table: psql %.2f s, pgimport -j1 %.2f s, -j2 (two-phase) %.2f s\n' \
  "$(median < "$work/psql_e.t")" "$(median < "$work/j1_e.t")" "$(median < "$work/j2_e.t")"
printf 'new table:      psql %.2f s, pgimport -j2 (rename) %.2f s\n' "$(median < "$work/psql_n.t")" "$(median < "$work/j2_n.t")"
printf 'speed-up -j1 vs psql (existing):            %.2f (target >= 1.00)\n' "$(ratio psql_e j1_e)"
printf 'speed-up -j2 vs psql (existing, two-phase): %.2f (target >= 1.40)\n' "$(ratio psql_e j2_e)"
printf 'speed-up -j2 vs psql (new table, rename):   %.2f (target >= 1.40)\n' "$(ratio psql_n j2_n)"
printf 'speed-up 2 psql on halves vs psql (not atomic, the 2-session ceiling): %.2f\n' "$(ratio psql_e psql2_e)"
for n in $scale; do
  printf 'speed-up -j%s vs psql (existing):            %.2f\n' "$n" "$(ratio psql_e "s$n")"
done
