#!/usr/bin/env bash
# The data API benchmark on both stores, what `make bench-stores` runs: SQLite (a fresh data dir),
# then PostgreSQL 15 (a fresh throw-away cluster from scripts/pg-test-cluster.sh with PG_DURABLE=1:
# fsync, synchronous_commit and full_page_writes on, shared_buffers 256MB; a fresh database;
# gridbase --database-url postgresql://…). Each store gets exactly what data.sh does to one server
# (data_run in bench/lib.sh): first start, bulk load of the same BENCH_ROWS generated rows, idle
# RSS, index priming, cold start (median of BENCH_COLDSTART_RUNS), answer checks, then per
# scenario warm-up, the 1-connection server time and BENCH_RUNS runs of BENCH_DURATION at
# wrk -t2 -c32; one store after the other (only one server and, for SQLite, no PostgreSQL running).
# SQLite runs as gridbase configures it: WAL, synchronous=NORMAL (durable against a crash of the
# process; commits do not wait for fsync). PostgreSQL runs with synchronous_commit=on (every commit
# waits for its WAL fsync: durable against a crash of the machine too).
#
# On PostgreSQL also:
#  - the postgres processes' memory (PSS summed over the postmaster and its backends; RSS sums
#    count the shared buffers once per backend): after the load, after the scenarios, and the
#    peak of a 0.5 s sampler over the whole PostgreSQL phase;
#  - ANALYZE right after the load (as autovacuum would within a minute), so that every scenario
#    runs on planner statistics;
#  - the database size (pg_database_size; for SQLite: the data dir);
#  - slow statements: log_min_duration_statement = BENCH_PG_SLOW_MS (50) while the scenarios run;
#    per scenario the statements at or over it, grouped (count, total/median/max ms, SQL, one
#    parameter example), printed and written next to the CSV (…-pg-slow.log);
#  - BENCH_PG_ASYNC_WRITES=1 (default; 0 skips): the write scenarios (c, d, i) once more with
#    synchronous_commit=off (a commit no longer waits for its fsync, as SQLite's
#    synchronous=NORMAL), printed as a separate section.
# Prints one table (per scenario: req/s, p50/p99 and the 1-connection time of both stores and
# the PostgreSQL/SQLite ratio of req/s; then load rate, RSS, cold start, sizes); writes
# bench/results/stores-<rows>-<UTC time>.csv. Everything binds 127.0.0.1; servers and the cluster
# are stopped at the end (trap). Settings: see bench/lib.sh; PG_BIN (/usr/lib/postgresql/15/bin);
# BENCH_KEEP_RAW=1 keeps raw wrk output and the server and PostgreSQL logs under
# bench/results/stores-<rows>-<time>/.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
need wrk "make bench-deps"
need curl
[[ -x "$GRIDBASE_BIN" ]] || { echo "bench: $GRIDBASE_BIN is missing (make build)" >&2; exit 1; }
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
[[ -x "$PG_BIN/psql" ]] || { echo "bench: no PostgreSQL 15 in $PG_BIN (make deps)" >&2; exit 1; }
BENCH_PG_SLOW_MS="${BENCH_PG_SLOW_MS:-50}"
BENCH_PG_ASYNC_WRITES="${BENCH_PG_ASYNC_WRITES:-1}"

stamp=$(date -u +%Y%m%dT%H%M%SZ)
WORK=$(mktemp -d /tmp/gridbase-bench-stores-XXXXXX)
RAW="$WORK/raw"; mkdir -p "$RAW"
PG_DIR="$WORK/pg"
SYSTEMS=(sqlite postgresql)
sampler=
cleanup() {
  stop_servers "${SYSTEMS[@]}"
  [[ -z "$sampler" ]] || stop_pid "$sampler"
  if [[ -n "${BENCH_KEEP_RAW:-}" ]]; then
    mkdir -p "$BENCH_DIR/results/stores-$BENCH_ROWS-$stamp"
    cp -r "$RAW/." "$WORK"/*.log "$BENCH_DIR/results/stores-$BENCH_ROWS-$stamp/" 2>/dev/null || true
    cp "$PG_DIR/log" "$BENCH_DIR/results/stores-$BENCH_ROWS-$stamp/postgresql-server.log" 2>/dev/null || true
  fi
  [[ ! -e "$PG_DIR" ]] || bash "$ROOT_DIR/scripts/pg-test-cluster.sh" stop "$PG_DIR" || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

pg_admin() { "$PG_BIN/psql" "$PG_SUPER" -X -q -At -v ON_ERROR_STOP=1 "$@"; }
postmaster() { head -n 1 "$PG_DIR/data/postmaster.pid"; }
pg_log_size() { stat -L -c %s "$PG_DIR/log"; }
declare -A SLOW_FROM
bench_hook() {
  local sys="$1" event="$2" s="${3:-}" kb
  case $sys/$event in
    sqlite/loaded)
      kb=$(du -sk "${DATA_DIR[sqlite]}" | cut -f1); metric sqlite db_size_kb "$kb" ;;
    postgresql/loaded)
      # what autovacuum does within a minute of the bulk load: without statistics the planner
      # guesses (e.g. 500 rows for 100,000) and the plans change when they arrive mid-run
      "$PG_BIN/psql" "${PG_SUPER%/*}/gridbase_bench" -X -q -c ANALYZE
      kb=$(pg_admin -c "SELECT pg_database_size('gridbase_bench') / 1024"); metric postgresql db_size_kb "$kb"
      metric postgresql pg_idle_mem "$(python3 "$BENCH_DIR/pgtools.py" mem "$(postmaster)")" ;;
    postgresql/measured)  # slow statements from here on
      pg_admin -c "ALTER SYSTEM SET log_min_duration_statement = $BENCH_PG_SLOW_MS" -c "SELECT pg_reload_conf()" >/dev/null ;;
    postgresql/scenario_start) SLOW_FROM[$s]=$(pg_log_size) ;;
    postgresql/scenario_end) echo "$s:${SLOW_FROM[$s]}:$(pg_log_size)" >>"$WORK/pg-slow.spec" ;;
    postgresql/done)
      metric postgresql pg_end_mem "$(python3 "$BENCH_DIR/pgtools.py" mem "$(postmaster)")" ;;
  esac
}

for sys in "${SYSTEMS[@]}"; do KIND[$sys]=gridbase; done

# --- SQLite
DATA_DIR[sqlite]="$WORK/sqlite-data"; mkdir -p "${DATA_DIR[sqlite]}"
URL[sqlite]="http://127.0.0.1:$(free_port)"
echo "# --- sqlite: $BENCH_ROWS rows" >&2
data_run sqlite
stop_pid "${PID[sqlite]}"

# --- PostgreSQL
echo "# --- postgresql: $BENCH_ROWS rows" >&2
admin=$(PG_DURABLE=1 PG_BIN="$PG_BIN" bash "$ROOT_DIR/scripts/pg-test-cluster.sh" start "$PG_DIR")
PG_SUPER="${admin/gridbase@/postgres@}"  # trust auth: the superuser sets the logging
"$PG_BIN/psql" "$admin" -X -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE gridbase_bench" >/dev/null
pg_settings=$(pg_admin -F= -c "SELECT name, current_setting(name) FROM pg_settings WHERE name IN
  ('fsync', 'synchronous_commit', 'full_page_writes', 'wal_sync_method', 'shared_buffers') ORDER BY name" | tr '\n' ' ')
echo "# postgresql $(pg_admin -c 'SHOW server_version') at ${admin%/*}/gridbase_bench: $pg_settings" >&2
python3 "$BENCH_DIR/pgtools.py" sample "$(postmaster)" 0.5 "$WORK/pg-peak" &
sampler=$!
DATA_DIR[postgresql]="$WORK/postgresql-data"; mkdir -p "${DATA_DIR[postgresql]}"
URL[postgresql]="http://127.0.0.1:$(free_port)"
SERVE_ARGS[postgresql]="--database-url ${admin%/*}/gridbase_bench"
data_run postgresql

if [[ "$BENCH_PG_ASYNC_WRITES" == 1 ]]; then
  # the same server and token under another name: only synchronous_commit differs
  sys=postgresql_async
  for k in "${!S[@]}"; do [[ $k != postgresql/* ]] || S[$sys/${k#*/}]="${S[$k]}"; done
  for k in "${!P[@]}"; do [[ $k != postgresql/* ]] || P[$sys/${k#*/}]="${P[$k]}"; done
  for k in "${!M[@]}"; do [[ $k != postgresql/* ]] || M[$sys/${k#*/}]="${M[$k]}"; done
  for k in "${!B[@]}"; do [[ $k != postgresql/* ]] || B[$sys/${k#*/}]="${B[$k]}"; done
  URL[$sys]=${URL[postgresql]}
  pg_admin -c "ALTER SYSTEM SET synchronous_commit = off" -c "SELECT pg_reload_conf()" >/dev/null
  echo "# postgresql: synchronous_commit = $(pg_admin -c 'SHOW synchronous_commit'), the write scenarios again" >&2
  for s in c_create d_update i_batch_create; do
    [[ " ${scenarios[*]} " == *" $s "* ]] || continue
    bench_hook postgresql scenario_start "$s (synchronous_commit=off)"
    warm_up "$sys" "$s"
    for r in $(seq 1 "$BENCH_RUNS"); do drain "$sys"; measure "$sys" "$s" "$r"; done
    drain "$sys"
    bench_hook postgresql scenario_end "$s (synchronous_commit=off)"
  done
fi
stop_pid "${PID[postgresql]}"
stop_pid "$sampler"; sampler=
metric postgresql pg_peak_mem "$(cat "$WORK/pg-peak" 2>/dev/null || echo '0 0')"

mkdir -p "$BENCH_DIR/results"
csv="$BENCH_DIR/results/stores-$BENCH_ROWS-$stamp.csv"
slow="$BENCH_DIR/results/stores-$BENCH_ROWS-$stamp-pg-slow.log"
commit=$(git -C "$ROOT_DIR" rev-parse --short HEAD 2>/dev/null || echo '?')
{
  echo "PostgreSQL statements that took >= $BENCH_PG_SLOW_MS ms (log_min_duration_statement) per scenario, $BENCH_ROWS rows"
  mapfile -t specs <"$WORK/pg-slow.spec"
  python3 "$BENCH_DIR/pgtools.py" slow "$PG_DIR/log" "${specs[@]}"
} >"$slow"
echo
python3 "$BENCH_DIR/report.py" stores "$RAW" "$csv" \
  "gridbase ($commit) on SQLite vs PostgreSQL $(pg_admin -c 'SHOW server_version' 2>/dev/null || echo 15), $BENCH_ROWS rows, $(nproc) cores, server --threads $BENCH_SERVER_THREADS, wrk -t$BENCH_WRK_THREADS -c$BENCH_CONNECTIONS, warm-up $BENCH_WARMUP, $BENCH_RUNS x $BENCH_DURATION (median run), a2 = page $(deep_page sqlite), Token auth
SQLite: WAL, synchronous=NORMAL (no fsync per commit). PostgreSQL: $pg_settings(synchronous_commit=on: each commit waits for its WAL fsync)
ratio: PostgreSQL / SQLite (req/s, rows/s: higher is better for PostgreSQL; MiB, ms: lower is)"
echo
echo "PostgreSQL slow statements (>= $BENCH_PG_SLOW_MS ms while the scenarios ran, statements of all connections): $slow"
grep -E '^== ' "$slow" | sed 's/^== /  /'
