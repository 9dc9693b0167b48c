#!/usr/bin/env bash
# The BaasBox document API (issue 10), what `make bench-baasbox` runs: starts build/gridbase on
# 127.0.0.1 (free port, fresh data dir, a known admin password), stores BENCH_DOCS documents
# (default 100,000; the issue's figure is 1,000,000; the first 20,000 through the API, the rest
# straight into the SQLite file, see bench/baasbox.py), declares a projection, and measures the server time
# (median time to first byte of 50 sequential requests after 20 warm-up ones) of get by id, a
# `where` page of 100, count, count with a `where`, and login (bench/baasbox.py). Writes
# bench/results/baasbox-<docs>-<UTC time>.csv. GRIDBASE_SERVE_ARGS passes extra `serve` flags.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
need curl
[[ -x "$GRIDBASE_BIN" ]] || { echo "bench: $GRIDBASE_BIN is missing (make build)" >&2; exit 1; }
BENCH_DOCS="${BENCH_DOCS:-100000}"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
WORK=$(mktemp -d /tmp/gridbase-bench-baasbox-XXXXXX)
RAW="$WORK/raw"; mkdir -p "$RAW"
sys=gridbase
cleanup() { stop_servers "$sys"; rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
DATA_DIR[$sys]="$WORK/data"; mkdir -p "${DATA_DIR[$sys]}"
URL[$sys]="http://127.0.0.1:$(free_port)"
SERVE_ARGS[$sys]="--baasbox-admin-password bench-admin-pw"
start_server "$sys" 1 first_start_ms
mkdir -p "$BENCH_DIR/results"
csv="$BENCH_DIR/results/baasbox-$BENCH_DOCS-$stamp.csv"
{ echo "measure,value"; python3 "$BENCH_DIR/baasbox.py" "${URL[$sys]}" bench-admin-pw "$BENCH_DOCS" "${DATA_DIR[$sys]}/gridbase.db"; } >"$csv"
commit=$(git -C "$ROOT_DIR" rev-parse --short HEAD 2>/dev/null || echo '?')
echo
echo "gridbase BaasBox API ($commit), $BENCH_DOCS documents, $(nproc) cores, server --threads $BENCH_SERVER_THREADS"
column -t -s, "$csv"
echo "(written to $csv)"
