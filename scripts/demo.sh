#!/usr/bin/env bash
# Quick start: install what is missing, build, start a throw-away PostgreSQL cluster, walk
# through the toolkit against it, and remove the cluster on exit (Ctrl-C included).
set -euo pipefail
cd "$(dirname "$0")/.."

root=$PWD
build=${PGMONKEY_BUILD_DIR:-build}

scripts/install-deps.sh
[[ -f "$build/CMakeCache.txt" ]] || cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j "$(nproc 2>/dev/null || echo 2)" >/dev/null

dir=$("$root/scripts/pgcluster" start)
trap '"$root/scripts/pgcluster" stop "$dir"' EXIT
trap 'exit 130' INT TERM
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
echo
echo "demo finished"
