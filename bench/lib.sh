# shellcheck shell=bash
# Shared by bench/data.sh, compare.sh, stores.sh and nodes.sh (sourced). Servers, scenarios, wrk
# runs, checks, and data_run (the per-system flow of data.sh).
#
# Settings (environment):
#   BENCH_ROWS (100000)  BENCH_DURATION (10s)  BENCH_RUNS (3)  BENCH_WARMUP (3s)
#   BENCH_WRK_THREADS (2)  BENCH_CONNECTIONS (32)  BENCH_COLDSTART_RUNS (5)
#   BENCH_SERVER_THREADS (2: gridbase --threads)  GRIDBASE_BIN (build/gridbase)
#   GRIDBASE_SERVE_ARGS (extra `serve` flags)  BENCH_INDEX_WAIT (300 s)  SCENARIOS (subset)
export PYTHONDONTWRITEBYTECODE=1  # no __pycache__ in the tree
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT_DIR=$(cd "$BENCH_DIR/.." && pwd)
BENCH_ROWS="${BENCH_ROWS:-100000}"
BENCH_DURATION="${BENCH_DURATION:-10s}"
BENCH_RUNS="${BENCH_RUNS:-3}"
BENCH_WARMUP="${BENCH_WARMUP:-3s}"
BENCH_WRK_THREADS="${BENCH_WRK_THREADS:-2}"
BENCH_CONNECTIONS="${BENCH_CONNECTIONS:-32}"
BENCH_COLDSTART_RUNS="${BENCH_COLDSTART_RUNS:-5}"
BENCH_SERVER_THREADS="${BENCH_SERVER_THREADS:-2}"
BENCH_INDEX_WAIT="${BENCH_INDEX_WAIT:-300}"
GRIDBASE_BIN="${GRIDBASE_BIN:-$ROOT_DIR/build/gridbase}"
# Scenarios of the issue, in the order they run: reads first, then the writes (so creates do not
# grow the table the reads see), then the extra batch create. Tables print them a1 a2 b c d …
ALL_SCENARIOS="a1_list_p1 a2_list_deep b_get_row e1_filter_num e2_filter_text f_sort_text g_search h_count c_create d_update"

declare -A S    # S[sys/KEY]: the state file of a system's load (TABLE, TOKEN, AUTH_HEADER, EXPECT_*, …)
declare -A URL  # URL[sys]: http://127.0.0.1:port
declare -A PID  # PID[sys]: the running server
declare -A P M B  # P[sys/scenario] path template, M method, B body file
# A system's name labels its figures and files; KIND[sys] says what it runs (gridbase or nocodb;
# default: the name itself), so several gridbase servers can run side by side (stores.sh: sqlite
# and postgresql; nodes.sh: two nodes). THREADS[sys]: its --threads (default BENCH_SERVER_THREADS);
# SERVE_ARGS[sys]: extra `serve` flags of that server only (e.g. --database-url …).
declare -A KIND THREADS SERVE_ARGS
kind() { echo "${KIND[$1]:-$1}"; }

need() { command -v "$1" >/dev/null || { echo "bench: $1 is missing${2:+ ($2)}" >&2; exit 1; }; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# proc_kb PID VmRSS|VmHWM -> KiB of PID plus its direct children (NocoDB may fork helpers)
proc_kb() {
  local p sum=0 v
  for p in "$1" $(cat /proc/"$1"/task/*/children 2>/dev/null); do
    v=$(awk -v k="$2:" '$1==k {print $2}' "/proc/$p/status" 2>/dev/null || true)
    sum=$(( sum + ${v:-0} ))
  done
  echo "$sum"
}
alive() { [[ -e /proc/$1 ]] && [[ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]]; }
# stop_pid PID: SIGTERM, SIGKILL after 30 s; waits until it is gone
stop_pid() {
  local pid="$1" _
  [[ -n "$pid" ]] || return 0
  alive "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 300); do alive "$pid" || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do alive "$pid" || return 0; sleep 0.1; done
}
# stop_servers SYS...: stops each system's server: PID[SYS], and the pid coldstart.py last wrote
# to $WORK/SYS.pid when that process still runs from $WORK (an interrupt can land between the
# start and the assignment of PID[SYS])
stop_servers() {
  local sys p
  for sys in "$@"; do
    stop_pid "${PID[$sys]:-}"
    p=$(cat "$WORK/$sys.pid" 2>/dev/null || true)
    [[ "$p" =~ ^[0-9]+$ ]] && { tr '\0' ' ' <"/proc/$p/cmdline"; } 2>/dev/null | grep -qF "$WORK/" && stop_pid "$p"
  done
  return 0
}
metric() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$RAW/metrics.tsv"; }

# load_state SYS FILE: the KEY='value' lines of load.py's state file into S[SYS/KEY]
load_state() {
  local k v
  while IFS='=' read -r k v; do
    [[ -n "$k" ]] || continue
    v="${v#\'}"; S[$1/$k]="${v%\'}"
  done <"$2"
}

# Server commands (run by coldstart.py, which times spawn -> first 200 on the health URL).
declare -A DATA_DIR  # DATA_DIR[sys]: the server's fresh data dir
health_path() { case $(kind "$1") in gridbase) echo /api/_health/ ;; nocodb) echo /api/v1/health ;; esac; }

# start_server SYS RUNS: starts SYS RUNS times (all but the last stopped again), records the
# start times under metric KEY (3rd argument), leaves PID[SYS] running.
start_server() {
  local sys="$1" runs="$2" key="$3" times cmd
  case $(kind "$sys") in
    gridbase)
      # loopback only, the fresh data dir
      cmd=("$GRIDBASE_BIN" serve --host 127.0.0.1 --port "${URL[$sys]##*:}" --data-dir "${DATA_DIR[$sys]}"
           --threads "${THREADS[$sys]:-$BENCH_SERVER_THREADS}" --access-log false)
      # shellcheck disable=SC2206
      cmd+=(${SERVE_ARGS[$sys]:-} ${GRIDBASE_SERVE_ARGS:-})
      times=$(python3 "$BENCH_DIR/coldstart.py" "$runs" "${URL[$sys]}$(health_path "$sys")" "$WORK/$sys.log" \
        "$WORK/$sys.pid" 60 "${DATA_DIR[$sys]}" -- "${cmd[@]}") ;;
    nocodb)
      times=$(python3 "$BENCH_DIR/coldstart.py" "$runs" "${URL[$sys]}$(health_path "$sys")" "$WORK/$sys.log" \
        "$WORK/$sys.pid" 600 "${DATA_DIR[$sys]}" -- env \
        PATH="$NODE22_BIN:$PATH" NODE_PATH="$NOCODB_DIR/node_modules" NODE_ENV=production \
        HOST=127.0.0.1 PORT="${URL[$sys]##*:}" \
        NC_DB="sqlite3:///?database=${DATA_DIR[$sys]}/noco.db" NC_TOOL_DIR="${DATA_DIR[$sys]}" \
        NC_AUTH_JWT_SECRET=bench-not-secret \
        NC_DISABLE_TELE=true NC_DISABLE_ERR_REPORTS=true NC_DISABLE_SUPPORT_CHAT=true \
        node "$BENCH_DIR/nocodb/server.cjs") ;;
  esac || { echo "bench: $sys did not start; last lines of $WORK/$sys.log:" >&2; tail -20 "$WORK/$sys.log" >&2; exit 1; }
  PID[$sys]=$(cat "$WORK/$sys.pid")
  metric "$sys" "$key" "$times"
  echo "# $sys $key: $times ms (pid ${PID[$sys]})" >&2
}

# The a2 page: 901 (offset 90,000) as the issue says; on tables under 90,100 rows the page
# that starts at 90 % of the table.
deep_page() { local r="${S[$1/ROWS]}"; if (( r >= 90100 )); then echo 901; else echo $(( r * 9 / 1000 + 1 )); fi; }
uri() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }

# define_scenarios SYS: paths, methods and bodies of SYS's scenarios (after load_state)
define_scenarios() {
  local sys="$1" t q fq ft
  local page; page=$(deep_page "$sys")
  case $(kind "$sys") in
    gridbase)  # Baserow REST, user_field_names=true, `Authorization: Token <database token>`
      t="/api/database/rows/table/${S[$sys/TABLE]}"; q="user_field_names=true"
      fq=$(uri '{"filter_type":"AND","filters":[{"type":"higher_than","field":"quantity","value":"9899"}],"groups":[]}')
      ft=$(uri '{"filter_type":"AND","filters":[{"type":"contains","field":"title","value":"falcon"}],"groups":[]}')
      P[$sys/a1_list_p1]="$t/?$q&size=100&page=1"
      P[$sys/a2_list_deep]="$t/?$q&size=100&page=$page"
      P[$sys/b_get_row]="$t/{id}/?$q"
      P[$sys/c_create]="$t/?$q"; M[$sys/c_create]=POST; B[$sys/c_create]="$WORK/$sys-create.json"
      P[$sys/d_update]="$t/{id}/?$q"; M[$sys/d_update]=PATCH; B[$sys/d_update]="$WORK/$sys-update.json"
      P[$sys/e1_filter_num]="$t/?$q&size=100&filters=$fq"
      P[$sys/e2_filter_text]="$t/?$q&size=100&filters=$ft"
      P[$sys/f_sort_text]="$t/?$q&size=100&page=1&order_by=title"
      P[$sys/g_search]="$t/?$q&size=100&search=nebula&search_mode=compat"
      P[$sys/h_count]="$t/?$q&size=1"
      P[$sys/i_batch_create]="$t/batch/?$q"; M[$sys/i_batch_create]=POST; B[$sys/i_batch_create]="$WORK/$sys-batch.json"
      cat >"$WORK/$sys-create.json" <<JSON
{"title": "created by bench {n}", "notes": "inserted by the create scenario; falcon river {n}.", "quantity": {n}, "price": "123.45", "active": true, "due_date": "2023-06-15", "status": ${S[$sys/STATUS_DOING]}, "email": "bench{n}@example.com", "website": "https://example.com/bench/{n}", "rating": 3}
JSON
      echo '{"quantity": {n}, "status": "done", "active": false}' >"$WORK/$sys-update.json"
      python3 - "$WORK/$sys-batch.json" "${S[$sys/STATUS_DOING]}" <<'PY'
import json, sys
item = {"title": "batch {n}", "quantity": 5, "price": "1.50", "active": True, "due_date": "2023-01-01",
        "status": int(sys.argv[2]), "email": "b@example.com", "website": "https://example.com/b", "rating": 2}
open(sys.argv[1], "w").write(json.dumps({"items": [item] * 200}))
PY
      ;;
    nocodb)  # NocoDB v2 data API, `xc-token: <API token>`; no table-wide search: OR of four likes
      t="/api/v2/tables/${S[$sys/TABLE]}/records"
      P[$sys/a1_list_p1]="$t?limit=100&offset=0"
      P[$sys/a2_list_deep]="$t?limit=100&offset=$(( (page - 1) * 100 ))"
      P[$sys/b_get_row]="$t/{id}"
      P[$sys/c_create]="$t"; M[$sys/c_create]=POST; B[$sys/c_create]="$WORK/$sys-create.json"
      P[$sys/d_update]="$t"; M[$sys/d_update]=PATCH; B[$sys/d_update]="$WORK/$sys-update.json"
      P[$sys/e1_filter_num]="$t?where=(quantity,gt,9899)&limit=100"
      P[$sys/e2_filter_text]="$t?where=(title,like,falcon)&limit=100"
      P[$sys/f_sort_text]="$t?sort=title&limit=100"
      P[$sys/g_search]="$t?where=(title,like,nebula)~or(notes,like,nebula)~or(email,like,nebula)~or(website,like,nebula)&limit=100"
      P[$sys/h_count]="$t/count"
      cat >"$WORK/$sys-create.json" <<'JSON'
{"title": "created by bench {n}", "notes": "inserted by the create scenario; falcon river {n}.", "quantity": {n}, "price": 123.45, "active": true, "due_date": "2023-06-15", "status": "doing", "email": "bench{n}@example.com", "website": "https://example.com/bench/{n}", "rating": 3}
JSON
      echo '{"Id": {id}, "quantity": {n}, "status": "done", "active": false}' >"$WORK/$sys-update.json"
      ;;
  esac
}

# selected_scenarios: SCENARIOS (default: the issue's ten, plus EXTRA) in run order
selected_scenarios() {
  local want=" ${SCENARIOS:-$ALL_SCENARIOS ${EXTRA_SCENARIOS:-}} " s
  for s in $ALL_SCENARIOS i_batch_create; do [[ "$want" == *" $s "* ]] && echo "$s"; done
  return 0
}

# run_wrk SYS SCENARIO DURATION OUT -> "req/s p50_ms p99_ms errors" (errors: non-2xx + socket errors)
run_wrk() {
  local sys="$1" s="$2"
  PATH_TPL="${P[$sys/$s]}" METHOD="${M[$sys/$s]:-GET}" BODY_FILE="${B[$sys/$s]:-}" ID_MIN=1 ID_MAX="${S[$sys/ROWS]}" \
    wrk -t"$BENCH_WRK_THREADS" -c"$BENCH_CONNECTIONS" -d"$3" --timeout 30s --latency \
    -s "$BENCH_DIR/lua/templated.lua" -H "${S[$sys/AUTH_HEADER]}" "${URL[$sys]}" >"$4" 2>&1 || true
  awk '/^Requests\/sec/ {rps=$2} /^LAT_P50_MS/ {p50=$2} /^LAT_P99_MS/ {p99=$2}
       /Non-2xx or 3xx responses/ {e+=$NF}
       /Socket errors/ {gsub(/,/,""); e+=$4+$6+$8+$10}
       END {printf "%s %s %s %d\n", rps+0, (p50 == "" ? "-" : p50), (p99 == "" ? "-" : p99), e}' "$4"
}

# measure SYS SCENARIO ROUND: one recorded run into runs.tsv (raw wrk output kept in $RAW/wrk/)
measure() {
  local out="$RAW/wrk/$1-$2-$3.txt" rps p50 p99 err
  mkdir -p "$RAW/wrk"
  read -r rps p50 p99 err < <(run_wrk "$1" "$2" "$BENCH_DURATION" "$out")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$rps" "$p50" "$p99" "$err" >>"$RAW/runs.tsv"
  echo "# $2 $1 run $3: $rps req/s, p50 $p50 ms, p99 $p99 ms${err:+, errors $err}" >&2
  [[ "$err" == 0 ]] || echo "# $1 $2: $err error answers; first lines of $out:" >&2
  [[ "$err" == 0 ]] || head -c 600 "$out" >&2
}
# drain SYS: waits (up to 120 s) until SYS answers a one-row GET within 50 ms twice in a row.
# The server finishes the requests it had read when wrk stopped and closed its connections; on a
# slow scenario (seconds a request) that backlog would otherwise eat into the next run.
drain() {
  local sys="$1" ok=0 t _
  [[ -n "${P[$sys/b_get_row]:-}" ]] || return 0
  for _ in $(seq 1 240); do
    t=$(curl -s -o /dev/null -m 30 -w '%{time_total}' -H "${S[$sys/AUTH_HEADER]}" "${URL[$sys]}${P[$sys/b_get_row]//\{id\}/1}" || echo 30)
    if awk -v t="$t" 'BEGIN { exit !(t < 0.05) }'; then ok=$((ok + 1)); (( ok < 2 )) || return 0; else ok=0; sleep 0.5; fi
  done
  echo "# $sys: still busy 120 s after the scenario" >&2
}
warm_up() { [[ -z "$BENCH_WARMUP" || "$BENCH_WARMUP" == 0 ]] || run_wrk "$1" "$2" "$BENCH_WARMUP" "$WORK/warmup.txt" >/dev/null; }

# check_scenarios SYS SCENARIO...: one request per GET scenario, answer checked (check.py)
check_scenarios() {
  local sys="$1" s want id=7 path res rows="${S[$1/ROWS]}" page
  shift
  page=$(deep_page "$sys")
  (( rows >= 7 )) || id=1
  for s in "$@"; do
    [[ "${M[$sys/$s]:-GET}" == GET ]] || continue
    case $s in
      a1_list_p1) want=(count="$rows" first_id=1 rows=$(( rows < 100 ? rows : 100 ))) ;;
      a2_list_deep) want=(count="$rows" first_id=$(( (page - 1) * 100 + 1 ))) ;;
      b_get_row) want=(id="$id") ;;
      e1_filter_num) want=(count="${S[$sys/EXPECT_E1]}") ;;
      e2_filter_text) want=(count="${S[$sys/EXPECT_E2]}") ;;
      f_sort_text) want=(count="$rows" first_title="${S[$sys/FIRST_TITLE]}") ;;
      g_search) want=(count="${S[$sys/EXPECT_G]}") ;;
      h_count) want=(count="$rows") ;;
      *) want=() ;;
    esac
    path="${P[$sys/$s]//\{id\}/$id}"
    res=$(python3 "$BENCH_DIR/check.py" "$s" "${URL[$sys]}$path" "${S[$sys/AUTH_HEADER]}" "${want[@]}" 2>&1 | tail -1)
    printf '%s\t%s\t%s\n' "$sys" "$s" "$res" >>"$RAW/checks.tsv"
    echo "# check $sys $s: $res" >&2
  done
}

# prime_indexes gridbase SCENARIO...: the server indexes the fields a query filters or sorts on,
# and builds a substring index for compat search and `contains`, on a background thread (tables
# of >= --index-min-rows rows, default 5,000): let it see each GET scenario once and wait (up to
# BENCH_INDEX_WAIT s) until those indexes are ready, as on a warmed-up server.
prime_indexes() {
  local sys="$1" s t want_search=0 want_fields=0 _
  shift
  for s in "$@"; do
    [[ "${M[$sys/$s]:-GET}" == GET ]] || continue
    curl -s -o /dev/null -H "${S[$sys/AUTH_HEADER]}" "${URL[$sys]}${P[$sys/$s]//\{id\}/1}"
  done
  (( ${S[$sys/ROWS]} >= ${BENCH_INDEX_MIN_ROWS:-5000} )) || return 0
  [[ " $* " == *" e2_filter_text "* || " $* " == *" g_search "* ]] && want_search=1
  [[ " $* " == *" e1_filter_num "* ]] && want_fields=$((want_fields + 1))
  [[ " $* " == *" f_sort_text "* ]] && want_fields=$((want_fields + 1))
  t=${S[$sys/TABLE]}
  for _ in $(seq 1 $(( BENCH_INDEX_WAIT * 2 ))); do
    { (( want_search == 0 )) || grep -q "search index of table $t ready" "$WORK/$sys.log"; } &&
      (( $(grep -c "index on table $t field" "$WORK/$sys.log" || true) >= want_fields )) && break
    sleep 0.5
  done
  grep -E "index (of|on) table" "$WORK/$sys.log" | sed 's/^/# server: /' >&2 || true
}

# hook SYS EVENT [SCENARIO]: calls bench_hook with the same arguments when the sourcing script
# defines it (stores.sh: database size and PostgreSQL memory and slow statements). Events of
# data_run: loaded (after the idle RSS), measured (the measured server is up and checked),
# scenario_start / scenario_end (around a scenario's warm-up and runs), done.
hook() { if declare -F bench_hook >/dev/null; then bench_hook "$@"; fi; }

# data_run SYS: the data API benchmark of one gridbase server SYS (steps 1-7 of data.sh; needs
# WORK, RAW, DATA_DIR[SYS], URL[SYS]); records into $RAW and leaves the measured server running
# (PID[SYS]). EXTRA_SCENARIOS: run after the issue's ten (default i_batch_create).
data_run() {
  local sys="$1" s r i id path single log_mark
  start_server "$sys" 1 first_start_ms

  python3 "$BENCH_DIR/load.py" "$(kind "$sys")" "${URL[$sys]}" "$WORK/$sys.state" "$BENCH_ROWS"
  load_state "$sys" "$WORK/$sys.state"
  metric "$sys" rows "$BENCH_ROWS"
  metric "$sys" load_rows_per_s "${S[$sys/LOAD_ROWS_PER_S]}"
  metric "$sys" load_seconds "${S[$sys/LOAD_SECONDS]}"
  metric "$sys" load_batch "${S[$sys/LOAD_BATCH]}"
  sleep 2
  metric "$sys" idle_rss_kb "$(proc_kb "${PID[$sys]}" VmRSS)"
  hook "$sys" loaded

  define_scenarios "$sys"
  mapfile -t scenarios < <(EXTRA_SCENARIOS="${EXTRA_SCENARIOS-i_batch_create}" selected_scenarios)

  prime_indexes "$sys" "${scenarios[@]}"
  metric "$sys" hwm_load_kb "$(proc_kb "${PID[$sys]}" VmHWM)"
  stop_pid "${PID[$sys]}"
  log_mark=$(wc -l <"$WORK/$sys.log")

  start_server "$sys" "$BENCH_COLDSTART_RUNS" cold_start_ms
  sleep 1
  metric "$sys" restart_rss_kb "$(proc_kb "${PID[$sys]}" VmRSS)"
  check_scenarios "$sys" "${scenarios[@]}"
  hook "$sys" measured

  for s in "${scenarios[@]}"; do
    if [[ "$s" == i_batch_create ]]; then metric "$sys" hwm_bench_kb "$(proc_kb "${PID[$sys]}" VmHWM)"; fi
    hook "$sys" scenario_start "$s"
    warm_up "$sys" "$s"
    drain "$sys"
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
    for r in $(seq 1 "$BENCH_RUNS"); do drain "$sys"; measure "$sys" "$s" "$r"; done
    drain "$sys"
    hook "$sys" scenario_end "$s"
  done
  if [[ " ${scenarios[*]} " == *" i_batch_create "* ]]; then
    metric "$sys" hwm_end_kb "$(proc_kb "${PID[$sys]}" VmHWM)"
  else
    metric "$sys" hwm_bench_kb "$(proc_kb "${PID[$sys]}" VmHWM)"
  fi
  # indexes the measured process built itself (there should be none: they were built before)
  tail -n +"$((log_mark + 1))" "$WORK/$sys.log" | grep -E "index (of|on) table" | sed "s/^/# $sys server (during the scenarios): /" >&2 || true
  hook "$sys" done
}
