#!/usr/bin/env bash
# gridbase vs NocoDB side by side (issue 7), what `make bench-compare` runs. Unattended:
#  1. installs node 22 and NocoDB 0.301.3 from npm into BENCH_CACHE (default
#     ~/.cache/gridbase-bench; bench/nocodb/install.sh), or reuses that install;
#  2. starts build/gridbase and NocoDB (SQLite, telemetry off) on free 127.0.0.1 ports with fresh
#     data dirs (first start timed);
#  3. loads both with the same BENCH_ROWS (100,000) generated rows, one sequential client each
#     while the other idles: gridbase through its batch API (200 rows a request), then NocoDB
#     through its REST API (100, its maximum); bulk-load rows/s; creates the gridbase database
#     token and the NocoDB API token; idle RSS 2 s after each load;
#  4. gridbase gets each GET scenario once and builds its indexes (as in data.sh); VmHWM;
#  5. cold start of each on its loaded database (spawn -> first 200 from its health URL,
#     BENCH_COLDSTART_RUNS times, median); the last start of each serves the scenarios;
#  6. checks one answer per GET scenario of both (count and rows; a failed check or any error
#     answer withholds that scenario's ratio), then per scenario alternates the systems: warm-up +
#     run 1 of gridbase, warm-up + run 1 of NocoDB, then gridbase, NocoDB … up to BENCH_RUNS
#     (3) runs of BENCH_DURATION (10s) each at wrk -t2 -c32 (only one system under load at a time);
#  7. prints per scenario both medians (req/s; p50, p99 of the median run) and the gridbase/NocoDB
#     ratio, plus load rate, idle/peak RSS and cold start; writes
#     bench/results/compare-<rows>-<UTC time>.csv. Both servers are stopped at the end (trap).
# Settings: see bench/lib.sh; BENCH_CACHE; BENCH_KEEP_RAW=1 keeps raw wrk output and server logs
# under bench/results/compare-<rows>-<time>/.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
need wrk "make bench-deps"
need curl
need npm "any node/npm: it fetches node 22"
[[ -x "$GRIDBASE_BIN" ]] || { echo "bench: $GRIDBASE_BIN is missing (make build)" >&2; exit 1; }

eval "$(bash "$BENCH_DIR/nocodb/install.sh" | grep -E '^(NODE22_BIN|NOCODB_DIR)=')"
export NODE22_BIN NOCODB_DIR

stamp=$(date -u +%Y%m%dT%H%M%SZ)
WORK=$(mktemp -d /tmp/gridbase-bench-compare-XXXXXX)
RAW="$WORK/raw"; mkdir -p "$RAW"
SYSTEMS=(gridbase nocodb)
cleanup() {
  local sys
  for sys in "${SYSTEMS[@]}"; do stop_pid "${PID[$sys]:-}"; done
  if [[ -n "${BENCH_KEEP_RAW:-}" ]]; then
    mkdir -p "$BENCH_DIR/results/compare-$BENCH_ROWS-$stamp"
    cp -r "$RAW/." "$WORK"/*.log "$BENCH_DIR/results/compare-$BENCH_ROWS-$stamp/" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for sys in "${SYSTEMS[@]}"; do
  DATA_DIR[$sys]="$WORK/$sys-data"; mkdir -p "${DATA_DIR[$sys]}"
  URL[$sys]="http://127.0.0.1:$(free_port)"
  start_server "$sys" 1 first_start_ms
done
for sys in "${SYSTEMS[@]}"; do
  python3 "$BENCH_DIR/load.py" "$sys" "${URL[$sys]}" "$WORK/$sys.state" "$BENCH_ROWS"
  load_state "$sys" "$WORK/$sys.state"
  metric "$sys" rows "$BENCH_ROWS"
  metric "$sys" load_rows_per_s "${S[$sys/LOAD_ROWS_PER_S]}"
  metric "$sys" load_seconds "${S[$sys/LOAD_SECONDS]}"
  metric "$sys" load_batch "${S[$sys/LOAD_BATCH]}"
  sleep 2
  metric "$sys" idle_rss_kb "$(proc_kb "${PID[$sys]}" VmRSS)"
  define_scenarios "$sys"
done
mapfile -t scenarios < <(EXTRA_SCENARIOS='' selected_scenarios)
prime_indexes gridbase "${scenarios[@]}"

for sys in "${SYSTEMS[@]}"; do
  metric "$sys" hwm_load_kb "$(proc_kb "${PID[$sys]}" VmHWM)"
  stop_pid "${PID[$sys]}"
  start_server "$sys" "$BENCH_COLDSTART_RUNS" cold_start_ms
  sleep 1
  metric "$sys" restart_rss_kb "$(proc_kb "${PID[$sys]}" VmRSS)"
done
for sys in "${SYSTEMS[@]}"; do check_scenarios "$sys" "${scenarios[@]}"; done

for s in "${scenarios[@]}"; do
  for r in $(seq 1 "$BENCH_RUNS"); do
    for sys in "${SYSTEMS[@]}"; do
      (( r > 1 )) || warm_up "$sys" "$s"
      measure "$sys" "$s" "$r"
    done
  done
done
for sys in "${SYSTEMS[@]}"; do metric "$sys" hwm_bench_kb "$(proc_kb "${PID[$sys]}" VmHWM)"; done

mkdir -p "$BENCH_DIR/results"
csv="$BENCH_DIR/results/compare-$BENCH_ROWS-$stamp.csv"
commit=$(git -C "$ROOT_DIR" rev-parse --short HEAD 2>/dev/null || echo '?')
echo
python3 "$BENCH_DIR/report.py" compare "$RAW" "$csv" \
  "gridbase ($commit) vs NocoDB 0.301.3 (SQLite), $BENCH_ROWS rows, $(nproc) cores, wrk -t$BENCH_WRK_THREADS -c$BENCH_CONNECTIONS, warm-up $BENCH_WARMUP, $BENCH_RUNS x $BENCH_DURATION alternating (median run), a2 = page $(deep_page gridbase) / offset $(( ($(deep_page gridbase) - 1) * 100 ))
ratios: req/s and rows/s gridbase / NocoDB; MiB and ms NocoDB / gridbase (\"less\")"
