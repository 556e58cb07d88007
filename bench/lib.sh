# What every bench/ script shares: the built tools, a work directory and a throw-away cluster
# (both removed on exit), a connection config for our tools, the data pgimport's benches load,
# and the arithmetic. Sourced from the repository root after option parsing:
#   source bench/lib.sh; bench_setup NAME TOOL [COMMAND...]; bench_cluster
# shellcheck shell=bash

# Finds TOOL under $PGMONKEY_BIN (else build-release/apps, then build/apps) into $bin (absolute),
# checks the COMMANDs exist, and makes $work; cleanup on exit stops the cluster too.
bench_setup() {  # name tool [command...]
  bench_name=$1
  local tool=$2
  shift 2
  bin=${PGMONKEY_BIN:-}
  if [[ -z "$bin" ]]; then
    for d in build-release/apps build/apps; do [[ -x $d/$tool ]] && { bin=$d; break; }; done
  fi
  [[ -n "$bin" && -x "$bin/$tool" ]] || { echo "$bench_name: build $tool first (cmake --build build-release)" >&2; exit 2; }
  bin=$(cd "$bin" && pwd)
  for t in /usr/bin/time "$@"; do
    command -v "$t" >/dev/null || { echo "$bench_name: needs $t (scripts/install-deps.sh)" >&2; exit 2; }
  done
  work=$(mktemp -d "${TMPDIR:-/tmp}/$bench_name.XXXXXX")
  cluster=""
  trap bench_cleanup EXIT
}

bench_cleanup() {
  if [[ -n "$cluster" ]]; then scripts/pgcluster stop "$cluster" >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}

# Starts the cluster, takes its PG* environment for psql, and writes $work/conn.yaml.
bench_cluster() {
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
}

# The import benches' data: quoted fields with delimiters and doubled quotes, embedded newlines
# in 1 row of 10, non-ASCII text that Latin-1 can also hold. Columns: id bigint, name text,
# note text, amount numeric, city text, created timestamp.
bench_generate() {  # rows → stdout
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
