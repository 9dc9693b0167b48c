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
#     extra i_batch_create (200 rows a request; EXTRA_SCENARIOS= to skip it);
#  7. peak RSS: the larger VmHWM of the loading and the measured process (before i_batch_create).
# Prints one table; writes bench/results/data-<rows>-<UTC time>.csv (raw wrk output with
# BENCH_KEEP_RAW=1 under bench/results/data-<rows>-<time>/). Settings: see bench/lib.sh.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
EXTRA_SCENARIOS="${EXTRA_SCENARIOS-i_batch_create}"
need wrk "make bench-deps"
need curl
[[ -x "$GRIDBASE_BIN" ]] || { echo "bench: $GRIDBASE_BIN is missing (make build)" >&2; exit 1; }

stamp=$(date -u +%Y%m%dT%H%M%SZ)
WORK=$(mktemp -d /tmp/gridbase-bench-data-XXXXXX)
RAW="$WORK/raw"; mkdir -p "$RAW"
sys=gridbase
cleanup() {
  stop_pid "${PID[$sys]:-}"
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
start_server "$sys" 1 first_start_ms

python3 "$BENCH_DIR/load.py" "$sys" "${URL[$sys]}" "$WORK/$sys.state" "$BENCH_ROWS"
load_state "$sys" "$WORK/$sys.state"
metric "$sys" rows "$BENCH_ROWS"
metric "$sys" load_rows_per_s "${S[$sys/LOAD_ROWS_PER_S]}"
metric "$sys" load_seconds "${S[$sys/LOAD_SECONDS]}"
metric "$sys" load_batch "${S[$sys/LOAD_BATCH]}"
sleep 2
metric "$sys" idle_rss_kb "$(proc_kb "${PID[$sys]}" VmRSS)"

define_scenarios "$sys"
mapfile -t scenarios < <(selected_scenarios)

prime_indexes "$sys" "${scenarios[@]}"
metric "$sys" hwm_load_kb "$(proc_kb "${PID[$sys]}" VmHWM)"
stop_pid "${PID[$sys]}"
log_mark=$(wc -l <"$WORK/$sys.log")

start_server "$sys" "$BENCH_COLDSTART_RUNS" cold_start_ms
sleep 1
metric "$sys" restart_rss_kb "$(proc_kb "${PID[$sys]}" VmRSS)"
check_scenarios "$sys" "${scenarios[@]}"

for s in "${scenarios[@]}"; do
  if [[ "$s" == i_batch_create ]]; then metric "$sys" hwm_bench_kb "$(proc_kb "${PID[$sys]}" VmHWM)"; fi
  warm_up "$sys" "$s"
  # server time of one request at a time: median of 30 sequential requests (time to first byte)
  single=$(for i in $(seq 1 30); do
    id=$(( (i * 7919) % BENCH_ROWS + 1 )); path="${P[$sys/$s]//\{id\}/$id}"
    if [[ -n "${B[$sys/$s]:-}" ]]; then
      curl -s -o /dev/null -w '%{time_starttransfer}\n' -X "${M[$sys/$s]}" "${URL[$sys]}$path" -H "${S[$sys/AUTH_HEADER]}" \
        -H 'Content-Type: application/json' --data-binary "$(sed "s/{n}/$i/g; s/{id}/$id/g" "${B[$sys/$s]}")"
    else
      curl -s -o /dev/null -w '%{time_starttransfer}\n' "${URL[$sys]}$path" -H "${S[$sys/AUTH_HEADER]}"
    fi
  done | sort -n | awk '{a[NR]=$1} END{printf "%.3f", a[int((NR+1)/2)]*1000}')
  metric "$sys" "single_ms:$s" "$single"
  for r in $(seq 1 "$BENCH_RUNS"); do measure "$sys" "$s" "$r"; done
done
if [[ " ${scenarios[*]} " == *" i_batch_create "* ]]; then
  metric "$sys" hwm_end_kb "$(proc_kb "${PID[$sys]}" VmHWM)"
else
  metric "$sys" hwm_bench_kb "$(proc_kb "${PID[$sys]}" VmHWM)"
fi
# indexes the measured process built itself (there should be none: they were built before)
tail -n +"$((log_mark + 1))" "$WORK/$sys.log" | grep -E "index (of|on) table" | sed 's/^/# server (during the scenarios): /' >&2 || true

mkdir -p "$BENCH_DIR/results"
csv="$BENCH_DIR/results/data-$BENCH_ROWS-$stamp.csv"
commit=$(git -C "$ROOT_DIR" rev-parse --short HEAD 2>/dev/null || echo '?')
echo
python3 "$BENCH_DIR/report.py" data "$RAW" "$csv" \
  "gridbase data API ($commit), $BENCH_ROWS rows, $(nproc) cores, server --threads $BENCH_SERVER_THREADS, wrk -t$BENCH_WRK_THREADS -c$BENCH_CONNECTIONS, warm-up $BENCH_WARMUP, $BENCH_RUNS x $BENCH_DURATION (median run), a2 = page $(deep_page "$sys"), Token auth"
