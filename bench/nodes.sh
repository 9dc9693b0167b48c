#!/usr/bin/env bash
# Two gridbase nodes on one PostgreSQL database vs one node, what `make bench-nodes` runs:
#  1. a fresh throw-away PostgreSQL 15 cluster (scripts/pg-test-cluster.sh, PG_DURABLE=1: fsync and
#     synchronous_commit on, shared_buffers 256MB) and a fresh database; node A (gridbase serve
#     --database-url …, 127.0.0.1, free port) loads BENCH_ROWS (100,000) generated rows (load.py)
#     and creates the database token every request uses (both nodes accept it: the token and the
#     signing key live in the database);
#  2. per scenario (NODES_SCENARIOS: a1_list_p1 = read of the first page, c_create = POST one row,
#     i_batch_create = POST 200 rows) and configuration (NODES_CONFIGS, in this order):
#       1x2  one node, --threads 2                 (the baseline)
#       2x1  two nodes A and B, --threads 1 each   (the same number of worker threads)
#       1x1  one node, --threads 1                 (what one of the two nodes does alone)
#     (NODES_CONFIGS="1x4 2x2" etc.: NxT, N = 1 or 2; the first is the baseline of the ratio column);
#     nodes are (re)started as the configuration needs, then a warm-up (BENCH_WARMUP) and
#     BENCH_RUNS runs of BENCH_DURATION. The client load is the same in every configuration:
#     BENCH_CONNECTIONS (32) connections and BENCH_WRK_THREADS (2) wrk threads, all on the one node,
#     or split in half over A and B (two wrk processes at the same time, each -c16 -t1); the req/s
#     of the two are summed;
#  3. during each run: CPU (in cores) of the gridbase nodes, of the postgres processes, and of
#     everything else (wrk, and anyone else on the machine); after each write run the table's
#     count from every running node (they must agree) against the requests wrk completed
#     (rows added must lie between completed and completed + connections, times 200 for i;
#     counts are read once requests still queued when wrk stopped are done).
# Why 2x1 against 1x2: on a 2-core machine the nodes, PostgreSQL and wrk share the same two cores,
# so a second node adds no CPU. Giving both configurations the same worker threads and the same
# client load compares like with like: what splitting one server into two processes on one database
# costs or gains (the cluster-wide write lock, two connection pools, LISTEN/NOTIFY), not the
# hardware. 1x1 shows the naive "one more node" figure (2x1 / 1x1). Writes are serialised
# cluster-wide (one advisory lock) and each commit waits for its WAL fsync: no configuration can
# commit faster than one fsync at a time.
# Prints one table; writes bench/results/nodes-<rows>-<UTC time>.csv. Everything binds 127.0.0.1;
# nodes and the cluster are stopped at the end (trap). Settings: see bench/lib.sh;
# BENCH_KEEP_RAW=1 keeps raw wrk output and the logs under bench/results/nodes-<rows>-<time>/.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
need wrk "make bench-deps"
need curl
[[ -x "$GRIDBASE_BIN" ]] || { echo "bench: $GRIDBASE_BIN is missing (make build)" >&2; exit 1; }
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
[[ -x "$PG_BIN/psql" ]] || { echo "bench: no PostgreSQL 15 in $PG_BIN (make deps)" >&2; exit 1; }
NODES_SCENARIOS="${NODES_SCENARIOS:-a1_list_p1 c_create i_batch_create}"
NODES_CONFIGS="${NODES_CONFIGS:-1x2 2x1 1x1}"
for cfg in $NODES_CONFIGS; do
  [[ $cfg =~ ^[12]x[1-9][0-9]*$ ]] || { echo "bench: NODES_CONFIGS: $cfg is not 1xT or 2xT" >&2; exit 1; }
done
(( BENCH_CONNECTIONS % 2 == 0 )) || { echo "bench: BENCH_CONNECTIONS must be even (split over two nodes)" >&2; exit 1; }

stamp=$(date -u +%Y%m%dT%H%M%SZ)
WORK=$(mktemp -d /tmp/gridbase-bench-nodes-XXXXXX)
RAW="$WORK/raw"; mkdir -p "$RAW/wrk"
PG_DIR="$WORK/pg"
NODES=(nodeA nodeB)
declare -A RUNNING  # RUNNING[node]: --threads of the running node (0: stopped)
cleanup() {
  stop_servers "${NODES[@]}"
  if [[ -n "${BENCH_KEEP_RAW:-}" ]]; then
    mkdir -p "$BENCH_DIR/results/nodes-$BENCH_ROWS-$stamp"
    cp -r "$RAW/." "$WORK"/*.log "$BENCH_DIR/results/nodes-$BENCH_ROWS-$stamp/" 2>/dev/null || true
    cp "$PG_DIR/log" "$BENCH_DIR/results/nodes-$BENCH_ROWS-$stamp/postgresql-server.log" 2>/dev/null || true
  fi
  [[ ! -e "$PG_DIR" ]] || bash "$ROOT_DIR/scripts/pg-test-cluster.sh" stop "$PG_DIR" || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

admin=$(PG_DURABLE=1 PG_BIN="$PG_BIN" bash "$ROOT_DIR/scripts/pg-test-cluster.sh" start "$PG_DIR")
"$PG_BIN/psql" "$admin" -X -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE gridbase_bench" >/dev/null
pg_settings=$("$PG_BIN/psql" "$admin" -X -q -At -F= -c "SELECT name, current_setting(name) FROM pg_settings WHERE name IN
  ('fsync', 'synchronous_commit', 'full_page_writes', 'wal_sync_method', 'shared_buffers') ORDER BY name" | tr '\n' ' ')
pg_version=$("$PG_BIN/psql" "$admin" -X -q -At -c 'SHOW server_version')
postmaster=$(head -n 1 "$PG_DIR/data/postmaster.pid")
echo "# postgresql $pg_version: $pg_settings" >&2
for n in "${NODES[@]}"; do
  KIND[$n]=gridbase
  DATA_DIR[$n]="$WORK/$n-data"; mkdir -p "${DATA_DIR[$n]}"
  URL[$n]="http://127.0.0.1:$(free_port)"
  SERVE_ARGS[$n]="--database-url ${admin%/*}/gridbase_bench"
  RUNNING[$n]=0
done

THREADS[nodeA]=2; RUNNING[nodeA]=2
start_server nodeA 1 first_start_ms
python3 "$BENCH_DIR/load.py" gridbase "${URL[nodeA]}" "$WORK/load.state" "$BENCH_ROWS"
for n in "${NODES[@]}"; do load_state "$n" "$WORK/load.state"; define_scenarios "$n"; done
super="${admin/gridbase@/postgres@}"  # trust auth; the superuser analyzes the catalogs too
"$PG_BIN/psql" "${super%/*}/gridbase_bench" -X -q -c ANALYZE  # as autovacuum would within a minute of the load
metric nodeA load_rows_per_s "${S[nodeA/LOAD_ROWS_PER_S]}"

# use_config NxT: N nodes (A, or A and B) with --threads T each, (re)started as needed
use_config() {
  local n="${1%x*}" t="${1#*x}" node want
  for node in "${NODES[@]}"; do
    want=0
    [[ $node == nodeA || $n == 2 ]] && want=$t
    (( RUNNING[$node] == want )) && continue
    if (( RUNNING[$node] > 0 )); then stop_pid "${PID[$node]}"; RUNNING[$node]=0; fi
    if (( want > 0 )); then THREADS[$node]=$want; start_server "$node" 1 start_ms; RUNNING[$node]=$want; fi
  done
}
running_nodes() { local node; for node in "${NODES[@]}"; do (( RUNNING[$node] == 0 )) || echo "$node"; done; }
# row_count NODE: the table's count as NODE answers it
row_count() {
  curl -s -H "${S[$1/AUTH_HEADER]}" "${URL[$1]}${P[$1/h_count]}" | python3 -c 'import json, sys; print(json.load(sys.stdin)["count"])'
}
# settled_count NODE: the count once requests still queued when wrk stopped are done (the same
# answer twice, 0.3 s apart; at most 30 s)
settled_count() {
  local prev=-1 c _
  for _ in $(seq 1 100); do
    c=$(row_count "$1")
    [[ "$c" == "$prev" ]] && break
    prev=$c; sleep 0.3
  done
  echo "$c"
}
# split_wrk SCENARIO DURATION TAG: wrk against every running node at the same time, the
# connections and wrk threads split evenly; leaves $WORK/split-<node>.res ("req/s p50 p99 errors")
split_wrk() {
  local s="$1" d="$2" tag="$3" node k=0 nodes
  mapfile -t nodes < <(running_nodes)
  for node in "${nodes[@]}"; do
    k=$((k + 1))
    (
      BENCH_CONNECTIONS=$(( BENCH_CONNECTIONS / ${#nodes[@]} ))
      BENCH_WRK_THREADS=$(( BENCH_WRK_THREADS / ${#nodes[@]} > 0 ? BENCH_WRK_THREADS / ${#nodes[@]} : 1 ))
      export SEED=$(( 42 + 100 * k ))
      run_wrk "$node" "$s" "$d" "$RAW/wrk/$tag-$node.txt" >"$WORK/split-$node.res"
    ) &
  done
  wait
}

cfg_label() { case $1 in 1x*) echo "1 node --threads ${1#*x}" ;; *) echo "${1%x*} nodes --threads ${1#*x}" ;; esac; }
for s in $NODES_SCENARIOS; do
  per=1; [[ $s == i_batch_create ]] && per=200
  for cfg in $NODES_CONFIGS; do
    use_config "$cfg"
    mapfile -t nodes < <(running_nodes)
    split_wrk "$s" "$BENCH_WARMUP" "warmup-$s-$cfg"
    for r in $(seq 1 "$BENCH_RUNS"); do
      before=-; [[ $s == a1_list_p1 ]] || before=$(settled_count nodeA)
      pids=(); for node in "${nodes[@]}"; do pids+=("${PID[$node]}"); done
      cpu0=$(python3 "$BENCH_DIR/pgtools.py" cpu "$postmaster" "${pids[@]}")
      split_wrk "$s" "$BENCH_DURATION" "$s-$cfg-$r"
      cpu1=$(python3 "$BENCH_DIR/pgtools.py" cpu "$postmaster" "${pids[@]}")
      total=0; errors=0; completed=0; detail=()
      for node in "${nodes[@]}"; do
        read -r rps p50 p99 err <"$WORK/split-$node.res"
        total=$(python3 -c "print(f'{$total + $rps:.2f}')")
        errors=$((errors + err))
        done_n=$(awk '/requests in/ {print $1}' "$RAW/wrk/$s-$cfg-$r-$node.txt")
        completed=$((completed + ${done_n:-0}))
        detail+=("$node:$rps:$p50:$p99")
      done
      check=-
      if [[ $s != a1_list_p1 ]]; then
        counts=("$(settled_count "${nodes[0]}")"); for node in "${nodes[@]:1}"; do counts+=("$(row_count "$node")"); done
        added=$(( counts[0] - before ))
        check="added=$added completed=$completed"
        if (( added < completed * per || added > (completed + BENCH_CONNECTIONS) * per )); then check="MISMATCH $check"; fi
        if (( ${#counts[@]} > 1 )) && [[ "${counts[0]}" != "${counts[1]}" ]]; then check="MISMATCH counts ${counts[*]}; $check"; fi
      fi
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$s" "$cfg" "$r" "$total" "${detail[*]}" "$errors" "$completed" \
        "$check" "$cpu0 / $cpu1" >>"$RAW/nodes.tsv"
      echo "# $s $(cfg_label "$cfg") run $r: $total req/s (${detail[*]}), errors $errors${check:+, $check}" >&2
    done
  done
done

mkdir -p "$BENCH_DIR/results"
csv="$BENCH_DIR/results/nodes-$BENCH_ROWS-$stamp.csv"
commit=$(git -C "$ROOT_DIR" rev-parse --short HEAD 2>/dev/null || echo '?')
echo
python3 "$BENCH_DIR/report.py" nodes "$RAW" "$csv" \
  "gridbase ($commit): two nodes vs one on PostgreSQL $pg_version ($pg_settings), $BENCH_ROWS rows, $(nproc) cores, wrk -c$BENCH_CONNECTIONS -t$BENCH_WRK_THREADS in total (split in half over two nodes), warm-up $BENCH_WARMUP, $BENCH_RUNS x $BENCH_DURATION (median run)
CPU in cores (of $(nproc)) during the run: gridbase nodes / postgres processes / everything else (wrk and any other load)"
