#!/usr/bin/env bash
# Installs gridbase's build and test dependencies from Debian 12 packages. Idempotent: does
# nothing when everything is present. Works as root or through sudo.
set -euo pipefail

PACKAGES=(
  g++ cmake ninja-build make pkg-config ccache
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libsqlite3-dev libpq-dev libsodium-dev libssl-dev libcurl4-openssl-dev
  libspdlog-dev libfmt-dev libcli11-dev libgtest-dev googletest
  libhowardhinnant-date-dev
  curl python3 sqlite3
  # The throw-away test cluster (scripts/pg-test-cluster.sh). Debian 12's postgresql-15 contains
  # contrib (pg_trgm): postgresql-contrib-15 is only a virtual name that dpkg-query never reports
  # as installed, so listing it would make this script run apt-get every time.
  postgresql-15 postgresql-client-15
)
# Extra packages for benchmarks: `scripts/install-deps.sh --bench`.
if [[ "${1:-}" == "--bench" ]]; then
  PACKAGES+=(wrk)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "install-deps: need root or sudo to install: ${missing[*]}" >&2
    exit 1
  fi
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
