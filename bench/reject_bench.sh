#!/usr/bin/env bash
# The cost of --max-errors: a clean file with and without it, 10 bad rows in N, 1% bad rows, all
# in the same run (alternating), as ratios to the clean import without the flag. Bad rows are
# type errors and CHECK violations (both found on the client), and CHECK violations of a check
# the client does not judge (a float comparison), which only the server finds.
#
#   bench/reject_bench.sh [--rows N] [--runs N]
#   PGMONKEY_BIN=DIR  where the built tools are (default: build-release/apps, then build/apps)
set -euo pipefail
cd "$(dirname "$0")/.."

rows=1000000 runs=5
while (($#)); do
  case "$1" in
    --rows) rows=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    *) echo "usage: $0 [--rows N] [--runs N]" >&2; exit 2 ;;
  esac
done
source bench/lib.sh
bench_setup reject_bench pgimport

# The import bench's rows; every `every`-th row (0: none) gets a bad amount: "bad" (no number:
# the client sets it aside) or "-1" (a number the table's CHECK refuses: only the server knows).
generate() {  # rows every bad-value → stdout
  python3 - "$1" "$2" "${3:-bad}" <<'PY'
import sys
n, every, bad = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
names = ["Zoë Müller", "José Núñez", "Ångström", "François Lefèvre", "Søren Kierkegård", "plain ascii"]
cities = ["Zürich", "Málaga", "Kraków", "Reykjavík", "São Paulo", "Oslo"]
out = sys.stdout
out.write("id,name,note,amount,city,created\n")
buf = []
for i in range(n):
    note = f'"said ""hi"", then left; item {i}"' if i % 3 else f'"line one\nline two, à bientôt {i}"' if i % 10 == 0 else f"note {i}"
    amount = bad if every and i % every == every // 2 else f"{i % 1000}.{i % 100:02d}"
    buf.append(f'{i},"{names[i % 6]}",{note},{amount},{cities[i % 6]},2024-01-{i % 28 + 1:02d} 12:{i % 60:02d}:00\n')
    if len(buf) == 10000:
        out.write("".join(buf))
        buf.clear()
out.write("".join(buf))
PY
}

echo "== generating $rows rows (clean; 10 bad and 1% bad, each as type errors and as CHECK violations)"
generate "$rows" 0 > "$work/clean.csv"
generate "$rows" $((rows / 10)) > "$work/ten.csv"
generate "$rows" 100 > "$work/pct.csv"
generate "$rows" $((rows / 10)) -1 > "$work/ten_check.csv"
generate "$rows" 100 -1 > "$work/pct_check.csv"

bench_cluster
psql -X -q -c "CREATE TABLE t (id bigint, name text, note text, amount numeric CHECK (amount >= 0), city text, created timestamp)"
psql -X -q -c "CREATE TABLE ts (id bigint, name text, note text, amount numeric CHECK (amount::float8 >= 0), city text, created timestamp)"

run() {  # name file [flags...]; $table: the table (default t)
  local name=$1 file=$2; shift 2
  psql -X -q -c "TRUNCATE t, ts" -c "CHECKPOINT"
  rm -f "$work/rej.csv" "$work/rej.csv.log"
  local t0; t0=$(now)
  "$bin/pgimport" -c "$work/conn.yaml" --table "${table:-t}" --progress never -q "$@" "$file" >/dev/null 2>&1
  calc "$(now) - $t0" >> "$work/$name.t"; echo >> "$work/$name.t"
}

echo "== $runs runs each (alternating)"
for ((i = 1; i <= runs; i++)); do
  run plain "$work/clean.csv"
  run clean "$work/clean.csv" --max-errors 1000 --reject-file "$work/rej.csv"
  run ten "$work/ten.csv" --max-errors 1000 --reject-file "$work/rej.csv"
  run ten_check "$work/ten_check.csv" --max-errors 1000 --reject-file "$work/rej.csv"
  run pct_check "$work/pct_check.csv" --max-errors 20000 --reject-file "$work/rej.csv"
  run pct "$work/pct.csv" --max-errors 20000 --reject-file "$work/rej.csv"
  count=$(psql -X -A -t -c "SELECT count(*) FROM t")
  [[ "$count" == "$((rows - rows / 100))" ]] || { echo "reject_bench: expected $((rows - rows / 100)) rows, found $count" >&2; exit 1; }
  table=ts run ten_server "$work/ten_check.csv" --max-errors 1000 --reject-file "$work/rej.csv"
  table=ts run pct_server "$work/pct_check.csv" --max-errors 20000 --reject-file "$work/rej.csv"
  count=$(psql -X -A -t -c "SELECT count(*) FROM ts")
  [[ "$count" == "$((rows - rows / 100))" ]] || { echo "reject_bench: expected $((rows - rows / 100)) rows in ts, found $count" >&2; exit 1; }
  printf '   run %d: plain %.2f s, clean+max-errors %.2f s, 10 bad %.2f / %.2f / %.2f s, 1%% bad %.2f / %.2f / %.2f s\n' \
    "$i" "$(tail -n1 "$work/plain.t")" "$(tail -n1 "$work/clean.t")" "$(tail -n1 "$work/ten.t")" \
    "$(tail -n1 "$work/ten_check.t")" "$(tail -n1 "$work/ten_server.t")" "$(tail -n1 "$work/pct.t")" \
    "$(tail -n1 "$work/pct_check.t")" "$(tail -n1 "$work/pct_server.t")"
done

# Ratios within each run, then their median: a noisy neighbour slows one run, not one side of it.
ratio() { paste "$work/plain.t" "$work/$1.t" | awk '{printf "%.6f\n", $1 / $2}' | median; }
echo "== results ($rows rows, median of $runs; throughput relative to the plain import)"
printf 'plain import:              %.2f s (median)\n' "$(median < "$work/plain.t")"
printf 'clean, --max-errors 1000:  %.3f (target >= 0.95)\n' "$(ratio clean)"
printf '10 bad rows, type errors:   %.3f (time %.2fx, target <= 1.2x)\n' "$(ratio ten)" "$(calc "1 / $(ratio ten)")"
printf '10 bad rows, CHECK:         %.3f (time %.2fx, target <= 1.2x)\n' "$(ratio ten_check)" "$(calc "1 / $(ratio ten_check)")"
printf '10 bad rows, server only:   %.3f (time %.2fx, target <= 1.2x)\n' "$(ratio ten_server)" "$(calc "1 / $(ratio ten_server)")"
printf '1%% bad rows, type errors:   %.3f (time %.2fx, target <= 3x)\n' "$(ratio pct)" "$(calc "1 / $(ratio pct)")"
printf '1%% bad rows, CHECK:         %.3f (time %.2fx, target <= 3x)\n' "$(ratio pct_check)" "$(calc "1 / $(ratio pct_check)")"
printf '1%% bad rows, server only:   %.3f (time %.2fx, target <= 3x)\n' "$(ratio pct_server)" "$(calc "1 / $(ratio pct_server)")"
