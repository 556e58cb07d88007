#!/usr/bin/env bash
# Quick start: install what is missing, build, start a throw-away PostgreSQL cluster, walk
# through the toolkit against it, and remove the cluster on exit (Ctrl-C included).
set -euo pipefail
cd "$(dirname "$0")/.."

root=$PWD
build=${PGMONKEY_BUILD_DIR:-build}

echo "== checking the Debian packages pgmonkey needs (scripts/install-deps.sh)"
scripts/install-deps.sh
echo "== building in $build (the first build takes a few minutes)"
[[ -f "$build/CMakeCache.txt" ]] || cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
# Its progress lines only; compiler errors come on stderr, and a failed build stops the demo.
cmake --build "$build" -j "$(nproc 2>/dev/null || echo 2)" | { grep --line-buffered -E '^\[ *[0-9]+%\]' || true; }

# The folder and the cleanup trap come first: Ctrl-C during initdb leaves nothing behind.
dir=$(mktemp -d "${TMPDIR:-/tmp}/pgcluster.XXXXXX")
trap '"$root/scripts/pgcluster" stop "$dir"' EXIT
trap 'exit 130' INT TERM
"$root/scripts/pgcluster" start --dir "$dir" >/dev/null
# shellcheck disable=SC1091
source "$dir/env"   # PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE of the throw-away cluster
bin=$root/$build/apps
cd "$dir"

bold='' plain=''
if [[ -t 1 && -z "${NO_COLOR:-}" ]]; then bold=$'\033[1m' plain=$'\033[0m'; fi
step() {
  printf '\n%s$ %s%s\n' "$bold" "${*#"$bin/"}" "$plain"
  "$@"
}

echo "throw-away cluster on 127.0.0.1:$PGPORT in $dir (removed on exit)"
step "$bin/pgconfig" create -c demo.yaml --from-env
step "$bin/pgconfig" validate -c demo.yaml
step "$bin/pgconfig" test -c demo.yaml --connection-type all

# Server advice from the config, and a read-only audit of the live server.
step "$bin/pgserverconfig" -c demo.yaml --app-instances 2 --client-cidr 10.0.4.0/24
step "$bin/pgserverconfig" -c demo.yaml --audit || echo "(pgserverconfig exit $?: findings to review)"

# Starter programs that connect with the same config (the password stays in PGPASSWORD).
step "$bin/pgconfig" generate-code -c demo.yaml --language c -o demo.c
# shellcheck disable=SC2046
step gcc -std=c11 -O2 -o demo demo.c $(pkg-config --cflags --libs libpq)
step ./demo
step "$bin/pgconfig" generate-code -c demo.yaml --language python --connection-type async_pool -o demo_pool.py
step /usr/bin/python3 demo_pool.py demo.yaml

# A CSV file into a new table: encoding and dialect detected, all or nothing.
printf 'Customer ID;Name;Joined\r\n1;"Zoë Müller";2024-01-05\r\n2;"Smith; John";2024-02-11\r\n' > customers.csv
step "$bin/pgimport" -c demo.yaml --table customers --infer-types customers.csv
printf 'Customer ID;Name;Joined\r\n3;Ann;not-a-date\r\n' > bad.csv
step "$bin/pgimport" -c demo.yaml --table customers bad.csv || echo "(exit $?: nothing was imported)"
step psql -X -c "SELECT * FROM customers ORDER BY customer_id"

# A table out to CSV, atomically.
psql -X -q -c "CREATE TABLE demo_orders AS SELECT i AS id, 'item ' || i AS item, i * 1.25 AS price
               FROM generate_series(1, 100000) i"
step "$bin/pgexport" -c demo.yaml --table public.demo_orders
step head -n 3 demo_orders.csv
step "$bin/pgexport" -c demo.yaml --table demo_orders -o demo_orders.csv --force --encoding utf-16 --crlf --format json
echo
echo "demo finished"
