#!/usr/bin/env bash
# Event benchmarks (make bench-events): realtime fan-out to BENCH_WS_CLIENTS websocket
# clients, and row-create throughput without and with an active webhook. Starts the
# optimised server on loopback with a fresh data dir; CSV lines on stdout.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
binary="${GRIDBASE_BIN:-$root/build/gridbase}"
[[ -x "$binary" ]] || { echo "bench: $binary is missing (make build)" >&2; exit 1; }
work=$(mktemp -d /tmp/gridbase-bench-XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$binary" serve --data-dir "$work/data" --port "$port" --threads "${BENCH_SERVER_THREADS:-2}" --access-log false \
  --webhooks-allow-private-address true >"$work/server.log" 2>&1 &
pid=$!
cleanup() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
for _ in $(seq 1 200); do curl -sf "http://127.0.0.1:$port/api/_health/" >/dev/null 2>&1 && break; sleep 0.05; done
echo "scenario,metric,value"
GRIDBASE_URL="http://127.0.0.1:$port" python3 "$here/events.py"
