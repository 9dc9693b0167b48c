#!/usr/bin/env bash
# Data API benchmark of gridbase (issue 7), what `make bench-data` runs:
#  1. starts build/gridbase on 127.0.0.1 (free port) with a fresh data dir;
#  2. loads BENCH_ROWS rows (default 100,000; BENCH_ROWS=1000000 for the 1M variant) of the
#     deterministic dataset (gen_rows.py) through the batch API, 200 rows a request, one
#     sequential client (bodies encoded before the clock starts): bulk-load rows/s; then creates a
#     database token (POST /api/database/tokens/) that every scenario uses (`Authorization: Token`);
#  3. idle RSS: VmRSS 2 s after the load, before any scenario;
#  4. sends each GET scenario once and waits for the indexes the server builds for them (as a
#     warmed-up server would have; tables of >= 5,000 rows), reads VmHWM, stops the server;
#  5. cold start on the loaded database: spawn -> first 200 from /api/_health/, BENCH_COLDSTART_RUNS
#     (5) times, median; the last start stays up and serves the scenarios;
#  6. checks one answer per GET scenario (count, rows), then per scenario: wrk warm-up
#     (BENCH_WARMUP, 3s), the server time of one request at a time (median of 30 sequential
#     requests, time to first byte) and BENCH_RUNS (3) runs of BENCH_DURATION (10s) at
#     -t2 -c32: median req/s, p50 and p99 of the median run; reads first, then c and d, then the
#     extra i_batch_create (200 rows a request; EXTRA_SCENARIOS= to skip it); the single requests
#     and every run start once the server has finished what wrk left queued (drain in lib.sh);
#  7. peak RSS: the larger VmHWM of the loading and the measured process (before i_batch_create).
# Prints one table; writes bench/results/data-<rows>-<UTC time>.csv (raw wrk output with
# BENCH_KEEP_RAW=1 under bench/results/data-<rows>-<time>/). Settings: see bench/lib.sh.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
need wrk "make bench-deps"
need curl
[[ -x "$GRIDBASE_BIN" ]] || { echo "bench: $GRIDBASE_BIN is missing (make build)" >&2; exit 1; }

stamp=$(date -u +%Y%m%dT%H%M%SZ)
WORK=$(mktemp -d /tmp/gridbase-bench-data-XXXXXX)
RAW="$WORK/raw"; mkdir -p "$RAW"
sys=gridbase
cleanup() {
  stop_servers "$sys"
  if [[ -n "${BENCH_KEEP_RAW:-}" ]]; then
    mkdir -p "$BENCH_DIR/results/data-$BENCH_ROWS-$stamp"
    cp -r "$RAW/." "$WORK/$sys.log" "$BENCH_DIR/results/data-$BENCH_ROWS-$stamp/" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

DATA_DIR[$sys]="$WORK/data"; mkdir -p "${DATA_DIR[$sys]}"
URL[$sys]="http://127.0.0.1:$(free_port)"
data_run "$sys"  # steps 1-7 (bench/lib.sh)

mkdir -p "$BENCH_DIR/results"
csv="$BENCH_DIR/results/data-$BENCH_ROWS-$stamp.csv"
commit=$(git -C "$ROOT_DIR" rev-parse --short HEAD 2>/dev/null || echo '?')
echo
python3 "$BENCH_DIR/report.py" data "$RAW" "$csv" \
  "gridbase data API ($commit), $BENCH_ROWS rows, $(nproc) cores, server --threads $BENCH_SERVER_THREADS, wrk -t$BENCH_WRK_THREADS -c$BENCH_CONNECTIONS, warm-up $BENCH_WARMUP, $BENCH_RUNS x $BENCH_DURATION (median run), a2 = page $(deep_page "$sys"), Token auth"
