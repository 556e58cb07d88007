#!/usr/bin/env bash
# Installs what pgmonkey needs to build and test on Debian 12 or 13 (same package names), when
# something is missing.
# Usage: scripts/install-deps.sh [--packaging]
set -euo pipefail

packages=(build-essential cmake pkg-config git
          libcli11-dev libpqxx-dev libpq-dev libyaml-cpp-dev libuchardet-dev libspdlog-dev libfmt-dev doctest-dev
          zlib1g-dev libzstd-dev libbz2-dev liblzma-dev gzip zstd bzip2 xz-utils pigz
          postgresql postgresql-client openssl procps time
          python3 python3-pytest python3-psycopg python3-psycopg-pool python3-yaml
          bash-completion zsh fish scdoc man-db)
# clang + libFuzzer for scripts/fuzz.sh; the runtime's package is named for clang's version.
. /etc/os-release 2>/dev/null || true
case "${VERSION_ID:-}" in
  12) packages+=(clang libclang-rt-14-dev) ;;
  13) packages+=(clang libclang-rt-19-dev) ;;
esac
if [[ "${1:-}" == "--packaging" ]]; then
  packages+=(rpm dpkg-dev debhelper lintian fakeroot)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi
echo "installing: ${missing[*]}" >&2
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null; then SUDO=sudo; else
    echo "error: missing packages and not root; install them: apt-get install ${missing[*]}" >&2
    exit 2
  fi
else
  SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
