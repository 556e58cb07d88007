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
bin=${PGMONKEY_BIN:-}
if [[ -z "$bin" ]]; then
  for d in build-release/apps build/apps; do [[ -x $d/pgimport ]] && { bin=$d; break; }; done
fi
[[ -x "$bin/pgimport" ]] || { echo "import_bench: build pgimport first (cmake --build build-release)" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "import_bench: needs GNU time at /usr/bin/time (apt-get install time)" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/import_bench.XXXXXX")
cluster=""
cleanup() {
  [[ -n "$cluster" ]] && scripts/pgcluster stop "$cluster"
  rm -rf "$work"
}
trap cleanup EXIT

# The data: quoted fields with delimiters and doubled quotes, embedded newlines in 1 row of 10,
# non-ASCII text that Latin-1 can also hold (so the same rows exist in both encodings).
generate() {  # rows → stdout
  python3 - "$1" <<'PY'
import sys
n = int(sys.argv[1])
names = ["Zoë Müller", "José Núñez", "Ångström", "François Lefèvre", "Søren Kierkegård", "plain ascii"]
cities = ["Zürich", "Málaga", "Kraków", "Reykjavík", "São Paulo", "Oslo"]
out = sys.stdout
out.write("id,name,note,amount,city,created\n")
buf = []
for i in range(n):
    note = f'"said ""hi"", then left; item {i}"' if i % 3 else f'"line one\nline two, à bientôt {i}"' if i % 10 == 0 else f"note {i}"
    buf.append(f'{i},"{names[i % 6]}",{note},{i % 1000}.{i % 100:02d},{cities[i % 6]},2024-01-{i % 28 + 1:02d} 12:{i % 60:02d}:00\n')
    if len(buf) == 10000:
        out.write("".join(buf))
        buf.clear()
out.write("".join(buf))
PY
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
now() { date +%s.%N; }
calc() { awk "BEGIN { printf \"%.6f\", $1 }"; }

echo "== generating $rows rows"
generate "$rows" > "$work/data.csv"
iconv -f UTF-8 -t LATIN1 "$work/data.csv" > "$work/data_latin1.csv"
size=$(stat -c %s "$work/data.csv")
echo "   $work/data.csv: $((size / 1000000)) MB"

echo "== starting a throw-away cluster"
cluster=$(scripts/pgcluster start | tail -n 1)
# shellcheck disable=SC1091
source "$cluster/env"
cat > "$work/conn.yaml" <<YAML
connection_type: normal
connection_settings:
  host: "$PGHOST"
  port: $PGPORT
  user: "$PGUSER"
  password: "$PGPASSWORD"
  dbname: "$PGDATABASE"
  sslmode: disable
YAML
chmod 600 "$work/conn.yaml"
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
