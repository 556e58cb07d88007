#!/usr/bin/env bash
# Compressed CSV in the same run: pgimport of a .csv.gz vs psql \copy FROM PROGRAM 'gzip -dc',
# pgimport of a .csv.zst vs psql \copy of the uncompressed file, pgexport -o .csv.gz vs psql
# \copy TO PROGRAM 'gzip', and the peak RSS of our runs.
#
#   bench/compressed_bench.sh [--rows N] [--runs N] [--all-formats]
#     --rows N   rows in the generated file (default 1000000)
#     --runs N   timed runs per pair, alternating A B A B; medians are printed (default 5)
#     --all-formats  also the peak RSS of one import of each format and level with a bigger
#                window (bzip2 -9, zstd -19, xz -6, xz -9) and one export per format at its
#                default level (slow: xz -9 and zstd -19 take minutes to write)
#   PGMONKEY_BIN=DIR  where the built tools are (default: build-release/apps, then build/apps)
set -euo pipefail
cd "$(dirname "$0")/.."

rows=1000000 runs=5 all=0
while (($#)); do
  case "$1" in
    --rows) rows=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --all-formats) all=1; shift ;;
    *) echo "usage: $0 [--rows N] [--runs N] [--all-formats]" >&2; exit 2 ;;
  esac
done
source bench/lib.sh
bench_setup compressed_bench pgimport gzip zstd

# Wall seconds and peak RSS (kB) of a command, as "seconds rss".
timed() {
  /usr/bin/time -f '%e %M' -o "$work/time.txt" "$@" >/dev/null
  cat "$work/time.txt"
}

echo "== generating $rows rows"
bench_generate "$rows" > "$work/data.csv"
gzip -6 -c "$work/data.csv" > "$work/data.csv.gz"
zstd -q -3 -c "$work/data.csv" > "$work/data.csv.zst"
size=$(stat -c %s "$work/data.csv")
echo "   data.csv $((size / 1000000)) MB, .gz $(($(stat -c %s "$work/data.csv.gz") / 1000000)) MB, .zst $(($(stat -c %s "$work/data.csv.zst") / 1000000)) MB"

bench_cluster
psql -X -q -c "CREATE TABLE t (id bigint, name text, note text, amount numeric, city text, created timestamp)"
psql -X -q -c "CREATE TABLE src (LIKE t)" -c "\\copy src FROM '$work/data.csv' WITH (FORMAT csv, HEADER)"

fresh() { psql -X -q -c "TRUNCATE t" -c "CHECKPOINT"; rm -f "$work/out.csv.gz"; }
psql_gzip_in() { timed psql -X -q -v ON_ERROR_STOP=1 -c "\\copy t FROM PROGRAM 'gzip -dc $work/data.csv.gz' WITH (FORMAT csv, HEADER)"; }
ours_gzip_in() { timed "$bin/pgimport" -c "$work/conn.yaml" --table t --progress never -q "$work/data.csv.gz"; }
psql_plain_in() { timed psql -X -q -v ON_ERROR_STOP=1 -c "\\copy t FROM '$work/data.csv' WITH (FORMAT csv, HEADER)"; }
ours_zstd_in() { timed "$bin/pgimport" -c "$work/conn.yaml" --table t --progress never -q "$work/data.csv.zst"; }
psql_gzip_out() { timed psql -X -q -v ON_ERROR_STOP=1 -c "\\copy src TO PROGRAM 'gzip > $work/out.csv.gz' WITH (FORMAT csv, HEADER)"; }
ours_gzip_out() { timed "$bin/pgexport" -c "$work/conn.yaml" -t src -o "$work/out.csv.gz" --progress never -q; }

# A B A B within each pair; the ratio per run (psql time / ours: >1 means we are faster), then
# the median of those ratios: a noisy neighbour slows one run, not one side of it.
pair() {  # name psql-function ours-function
  local name=$1 a=$2 b=$3 i ta tb
  : > "$work/$name.ratio"; : > "$work/$name.rss"; : > "$work/$name.a"; : > "$work/$name.b"
  for ((i = 1; i <= runs; i++)); do
    fresh; ta=$($a)
    fresh; tb=$($b)
    echo "${ta% *}" >> "$work/$name.a"; echo "${tb% *}" >> "$work/$name.b"; echo "${tb#* }" >> "$work/$name.rss"
    calc "${ta% *} / ${tb% *}" >> "$work/$name.ratio"; echo >> "$work/$name.ratio"
    printf '   %s run %d: psql %.2f s, ours %.2f s (RSS %.1f MB)\n' "$name" "$i" "${ta% *}" "${tb% *}" \
      "$(calc "${tb#* } / 1024")"
  done
}

echo "== $runs runs per pair (alternating)"
pair gzip_in psql_gzip_in ours_gzip_in
pair zstd_in psql_plain_in ours_zstd_in
count=$(psql -X -A -t -c "SELECT count(*) FROM t")
[[ "$count" == "$rows" ]] || { echo "compressed_bench: expected $rows rows, found $count" >&2; exit 1; }
pair gzip_out psql_gzip_out ours_gzip_out
[[ "$(gzip -dc "$work/out.csv.gz" | wc -l)" -ge "$rows" ]] || { echo "compressed_bench: short export" >&2; exit 1; }

echo "== results ($rows rows, $((size / 1000000)) MB of CSV, median of $runs; shared, noisy machine: read the ratios)"
report() {  # name label
  printf '%-52s psql %6.2f s  ours %6.2f s  ratio %.2f (target >= 0.95)  peak RSS %.1f MB (target < 20 MB)\n' "$2" \
    "$(median < "$work/$1.a")" "$(median < "$work/$1.b")" "$(median < "$work/$1.ratio")" \
    "$(calc "$(sort -n "$work/$1.rss" | tail -n 1) / 1024")"
}
report gzip_in "pgimport .gz vs \\copy FROM PROGRAM 'gzip -dc'"
report zstd_in "pgimport .zst vs \\copy FROM the plain file"
report gzip_out "pgexport -o .gz vs \\copy TO PROGRAM 'gzip'"

((all)) || exit 0
# Peak RSS only (one run each; RSS does not depend on the machine's load, the time does).
echo "== peak RSS per format (one run each)"
for t in bzip2 xz; do
  command -v "$t" >/dev/null || { echo "compressed_bench: --all-formats needs $t" >&2; exit 2; }
done
bzip2 -9 -c "$work/data.csv" > "$work/data.csv.bz2"
zstd -q -19 -T2 -c "$work/data.csv" > "$work/data.19.csv.zst"
xz -6 -T2 -c "$work/data.csv" > "$work/data.6.csv.xz"
xz -9 -T2 -c "$work/data.csv" > "$work/data.9.csv.xz"
rss_line() {  # label seconds-and-rss
  printf '%-44s %6.2f s  peak RSS %5.1f MB\n' "$1" "${2% *}" "$(calc "${2#* } / 1024")"
}
for f in data.csv data.csv.gz data.csv.zst data.19.csv.zst data.csv.bz2 data.6.csv.xz data.9.csv.xz; do
  fresh
  rss_line "pgimport $f" "$(timed "$bin/pgimport" -c "$work/conn.yaml" --table t --progress never -q "$work/$f")"
done
for ext in csv csv.gz csv.zst csv.bz2 csv.xz; do
  rm -f "$work/out.$ext"
  rss_line "pgexport -o out.$ext (default level)" \
    "$(timed "$bin/pgexport" -c "$work/conn.yaml" -t src -o "$work/out.$ext" --progress never -q)"
done
