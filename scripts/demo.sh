#!/usr/bin/env bash
# Quick start: install what is missing, build, start a throw-away PostgreSQL cluster, walk
# through the toolkit against it, and remove the cluster on exit (Ctrl-C included).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$(nproc 2>/dev/null || echo 2)" >/dev/null

dir=$(scripts/pgcluster start)
trap 'scripts/pgcluster stop "$dir"' EXIT
trap 'exit 130' INT TERM
# shellcheck disable=SC1091
source "$dir/env"   # PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE of the throw-away cluster
bin=$PWD/build/apps
cd "$dir"

step() {
  printf '\n\033[1m$ %s\033[0m\n' "$*" | sed "s|$bin/||"
  "$@"
}

echo "throw-away cluster on 127.0.0.1:$PGPORT (removed on exit)"
step "$bin/pgconfig" create -c demo.yaml --from-env
step "$bin/pgconfig" validate -c demo.yaml
step "$bin/pgconfig" test -c demo.yaml --connection-type all
echo
echo "demo finished"
