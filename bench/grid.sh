#!/usr/bin/env bash
# Opening and scrolling a grid view as Baserow's web-frontend does (issue 9), what
# `make bench-grid` runs:
#  1. starts build/gridbase on 127.0.0.1 (free port) with a fresh data dir and loads BENCH_ROWS
#     (default 100,000) rows of the bench dataset through the batch API (bench/load.py);
#  2. bench/grid.py signs in with a JWT (as the frontend), and measures the server time (median
#     time to first byte of 30 sequential requests after 20 warm-up ones) of: the views list, the
#     fields list, the first grid page of 80 rows with field options and row metadata (their sum:
#     "open"), the page at offset 90,000, and that page on a second view sorted by title;
#  3. wrk (-t2 -c32, warm-up, BENCH_RUNS x BENCH_DURATION, median run) on the first page and on the
#     offset-90,000 page: req/s, p50, p99.
# Prints one table; writes bench/results/grid-<rows>-<UTC time>.csv. GRIDBASE_SERVE_ARGS passes
# extra `serve` flags (e.g. --database-url postgresql://… to measure PostgreSQL).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
need wrk "make bench-deps"
need curl
[[ -x "$GRIDBASE_BIN" ]] || { echo "bench: $GRIDBASE_BIN is missing (make build)" >&2; exit 1; }

stamp=$(date -u +%Y%m%dT%H%M%SZ)
WORK=$(mktemp -d /tmp/gridbase-bench-grid-XXXXXX)
RAW="$WORK/raw"; mkdir -p "$RAW"
sys=gridbase
cleanup() { stop_servers "$sys"; rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

DATA_DIR[$sys]="$WORK/data"; mkdir -p "${DATA_DIR[$sys]}"
URL[$sys]="http://127.0.0.1:$(free_port)"
start_server "$sys" 1 first_start_ms
python3 "$BENCH_DIR/load.py" gridbase "${URL[$sys]}" "$WORK/$sys.state" "$BENCH_ROWS"
load_state "$sys" "$WORK/$sys.state"
python3 "$BENCH_DIR/grid.py" "${URL[$sys]}" "$WORK/$sys.state" "$WORK/grid.env"
# shellcheck disable=SC1091
source "$WORK/grid.env"
S[$sys/AUTH_HEADER]="$JWT"
P[$sys/v3_grid_p1]="$PATH_v3_grid_p1"
P[$sys/v4_grid_90k]="$PATH_v4_grid_90k"

mkdir -p "$BENCH_DIR/results"
csv="$BENCH_DIR/results/grid-$BENCH_ROWS-$stamp.csv"
echo "measure,value" >"$csv"
for k in v1_views v2_fields v3_grid_p1 open_total v4_grid_90k v5_sorted_90k; do
  v="MS_$k"; echo "single_ms:$k,${!v}" >>"$csv"
done
for s in v3_grid_p1 v4_grid_90k; do
  warm_up "$sys" "$s"
  for r in $(seq 1 "$BENCH_RUNS"); do measure "$sys" "$s" "$r"; done
done
# median run per scenario (by req/s)
while read -r s rps p50 p99; do
  echo "wrk_rps:$s,$rps" >>"$csv"; echo "wrk_p50_ms:$s,$p50" >>"$csv"; echo "wrk_p99_ms:$s,$p99" >>"$csv"
done < <(sort -k2,2 -k4,4n "$RAW/runs.tsv" | awk -v n="$BENCH_RUNS" '
  {rows[$2] = rows[$2] $4 " " $5 " " $6 "\n"; cnt[$2]++}
  END {for (s in rows) {m = split(rows[s], lines, "\n"); mid = int((cnt[s] + 1) / 2); split(lines[mid], f, " "); print s, f[1], f[2], f[3]}}')
commit=$(git -C "$ROOT_DIR" rev-parse --short HEAD 2>/dev/null || echo '?')
echo
echo "gridbase grid view ($commit), $BENCH_ROWS rows, $(nproc) cores, server --threads $BENCH_SERVER_THREADS"
column -t -s, "$csv"
echo "(written to $csv)"
