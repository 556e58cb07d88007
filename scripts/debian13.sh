#!/usr/bin/env bash
# Runs the test command (scripts/test.sh: unit, integration and packaging tests) inside a
# Debian 13 (trixie) root made with debootstrap from the Debian archive: libpqxx 7 and its own
# throw-away PostgreSQL 17. Needs root (debootstrap, chroot, mounts).
#   scripts/debian13.sh [TEST_SH_ARGS...]      e.g. scripts/debian13.sh --quick
#   scripts/debian13.sh --root-only            only make (or check) the root
# The root is kept in $PGMONKEY_DEBIAN13_ROOT (default /var/cache/pgmonkey/debian13) and reused
# while it was made from the same scripts/install-deps.sh and is less than a week old; otherwise
# it is made again (about a minute plus downloads). Every run builds from a fresh copy of the
# tree inside the root and removes it afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."

suite=trixie
mirror=${PGMONKEY_DEBIAN_MIRROR:-http://deb.debian.org/debian}
cache=${PGMONKEY_DEBIAN13_ROOT:-/var/cache/pgmonkey/debian13}
ccache_dir=$(dirname "$cache")/ccache-$(basename "$cache")
max_age_days=7

die() { echo "debian13.sh: error: $*" >&2; exit 2; }
[[ $(id -u) -eq 0 ]] || die "needs root (debootstrap, chroot and mounts)"
if ! command -v debootstrap >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
fi

# What the root was made from: a different package list or suite means a new root.
key=$( (echo "$suite $mirror"; cat scripts/install-deps.sh) | sha256sum | cut -c1-16)

mounted=()
unmount_all() {
  local i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
    umount -l "${mounted[i]}" 2>/dev/null || true
  done
  mounted=()
}
# Mounts a killed earlier run left under a root: gone before anything there is removed, so that
# rm can never reach the host's /dev through a bind mount.
unmount_stale() {
  local m
  awk -v root="$1/" 'index($2 "/", root) == 1 {print $2}' /proc/mounts | sort -r | while read -r m; do
    umount -l "$m" || true
  done
}
mount_into() {  # root: /proc, /sys, /dev, /dev/pts (shared memory for PostgreSQL lives in /dev/shm)
  local root=$1
  mount -t proc proc "$root/proc" && mounted+=("$root/proc")
  mount -t sysfs sysfs "$root/sys" && mounted+=("$root/sys")
  mount --bind /dev "$root/dev" && mounted+=("$root/dev")
  mount --bind /dev/pts "$root/dev/pts" && mounted+=("$root/dev/pts")
  mount -t tmpfs -o mode=1777 shm "$root/dev/shm" && mounted+=("$root/dev/shm")
}
in_root() {  # root, command...: a clean environment, as a fresh login would have
  local root=$1; shift
  chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    DEBIAN_FRONTEND=noninteractive CCACHE_DIR=/var/cache/ccache "$@"
}

make_root() {
  local new="$cache.new.$$"
  echo "== debootstrap $suite (minbase) into $cache"
  unmount_stale "$new"
  rm -rf --one-file-system "$new"
  mkdir -p "$(dirname "$cache")"
  trap 'unmount_all; rm -rf --one-file-system "$new"' EXIT
  debootstrap --variant=minbase "$suite" "$new" "$mirror" >"$new.log" 2>&1 \
    || { tail -20 "$new.log" >&2; die "debootstrap failed (log: $new.log)"; }
  rm -f "$new.log"
  cp /etc/resolv.conf "$new/etc/resolv.conf"
  # No daemons start inside the root while packages are installed.
  printf '#!/bin/sh\nexit 101\n' >"$new/usr/sbin/policy-rc.d"
  chmod 755 "$new/usr/sbin/policy-rc.d"
  mount_into "$new"
  mkdir -p "$new/tmp/deps"
  cp scripts/install-deps.sh "$new/tmp/deps/"
  in_root "$new" apt-get update -qq
  in_root "$new" apt-get install -y -qq --no-install-recommends ccache >/dev/null
  in_root "$new" /tmp/deps/install-deps.sh --packaging
  in_root "$new" apt-get clean
  rm -rf "$new/tmp/deps"
  unmount_all
  echo "$key" >"$new/.pgmonkey-root"
  unmount_stale "$cache"
  rm -rf --one-file-system "$cache"
  mv "$new" "$cache"
  trap - EXIT
}

# (An `exec 9>lock 2>/dev/null` would send the rest of this script's stderr, compiler errors
# included, to /dev/null: exec without a command keeps every redirection.)
mkdir -p "$(dirname "$cache")"
exec 9>"$(dirname "$cache")/.debian13.lock"
flock 9  # one run at a time uses (or makes) the root

start=$(date +%s)
if [[ ! -f "$cache/.pgmonkey-root" || "$(cat "$cache/.pgmonkey-root")" != "$key" ]] \
   || [[ -n $(find "$cache/.pgmonkey-root" -mtime +$max_age_days) ]]; then
  make_root
else
  echo "== reusing the $suite root in $cache (made $(date -r "$cache/.pgmonkey-root" '+%F %R'))"
fi

[[ "${1:-}" == "--root-only" ]] && exit 0

# A fresh copy of the tree (what git tracks, plus uncommitted edits), no build folders.
work=/tmp/pgmonkey-src  # one fixed path (runs take turns): compiler caches hit across runs
cleanup() { unmount_all; rm -rf --one-file-system "${cache:?}$work"; }
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM
unmount_stale "$cache"
rm -rf --one-file-system "$cache$work"
mkdir -p "$cache$work"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf - | tar -xf - -C "$cache$work"
else
  tar --exclude='./build*' --exclude='./obj-*' -cf - . | tar -xf - -C "$cache$work"
fi
mkdir -p "$ccache_dir" "$cache/var/cache/ccache"
mount_into "$cache"
mount --bind "$ccache_dir" "$cache/var/cache/ccache" && mounted+=("$cache/var/cache/ccache")

echo "== scripts/test.sh $* in Debian 13 ($(cat "$cache/etc/debian_version"), libpqxx $(in_root "$cache" pkg-config --modversion libpqxx), $(in_root "$cache" sh -c 'ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1'))"
status=0
in_root "$cache" sh -c "cd $work && PGMONKEY_IN_DEBIAN13=1 CCACHE_BASEDIR=$work CMAKE_CXX_COMPILER_LAUNCHER=ccache scripts/test.sh $*" \
  || status=$?
echo "== Debian 13 stage: $(( $(date +%s) - start )) s, exit $status"
exit $status
