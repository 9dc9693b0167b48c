#!/usr/bin/env bash
# Data API benchmark: starts the optimised server on loopback with a fresh data dir, loads
# BENCH_ROWS rows (default 100000) of the peers' deterministic dataset through the batch API,
# then measures each scenario: server time of single requests (median of 30 sequential
# requests, curl's time to first byte on loopback) and throughput with wrk (warm-up, then
# BENCH_RUNS runs). Prints a table and writes bench/results/data-<rows>-<time>.csv.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
binary="${GRIDBASE_BIN:-$root/build/gridbase}"
rows="${BENCH_ROWS:-100000}"
duration="${BENCH_DURATION:-10s}"
runs="${BENCH_RUNS:-3}"
threads="${BENCH_WRK_THREADS:-2}"
connections="${BENCH_CONNECTIONS:-32}"
scenarios="${SCENARIOS:-a1_list_p1 a2_list_deep b_get_row c_create d_update e1_filter_num e2_filter_text f_sort_text g_search h_count i_batch_create}"
command -v wrk >/dev/null || { echo "bench: wrk is missing (make bench-deps)" >&2; exit 1; }

work=$(mktemp -d /tmp/gridbase-data-bench-XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$binary" serve --data-dir "$work/data" --port "$port" --threads 2 --access-log false >"$work/server.log" 2>&1 &
pid=$!
cleanup() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
base="http://127.0.0.1:$port"
for _ in $(seq 1 200); do curl -sf "$base/api/_health/" >/dev/null 2>&1 && break; sleep 0.05; done

python3 "$here/load.py" "$base" "$work/state" "$rows"
source "$work/state"
login() {
  curl -sf -X POST "$base/api/user/token-auth/" -H 'Content-Type: application/json' \
    -d '{"email":"bench@example.com","password":"bench-password"}' | sed -E 's/.*"access_token":"([^"]+)".*/\1/'
}
uri() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }
T="/api/database/rows/table/$TABLE"
Q="user_field_names=true"
deep_page=$(( rows / 100 - 9 ))
F_QTY=$(uri '{"filter_type":"AND","filters":[{"type":"higher_than","field":"quantity","value":"9899"}]}')
F_TITLE=$(uri '{"filter_type":"AND","filters":[{"type":"contains","field":"title","value":"falcon"}]}')
sed "s/{status_doing}/$STATUS_DOING/" > "$work/create.json" <<JSON
{"title": "created by bench {n}", "notes": "inserted by the create scenario; falcon river {n}.", "quantity": {n}, "price": "123.45", "active": true, "due_date": "2023-06-15", "status": {status_doing}, "email": "bench{n}@example.com", "website": "https://example.com/bench/{n}", "rating": 3}
JSON
echo '{"quantity": {n}, "status": "done", "active": false}' > "$work/update.json"
python3 - "$work/batch.json" "$STATUS_DOING" <<'PY'
import json, sys
pass
item = {"title": "batch {n}", "quantity": 5, "price": "1.50", "active": True, "due_date": "2023-01-01",
        "status": int(sys.argv[2]), "email": "b@example.com", "website": "https://example.com/b", "rating": 2}
open(sys.argv[1], "w").write(json.dumps({"items": [item] * 200}))
PY

declare -A P M B
P[a1_list_p1]="$T/?$Q&size=100&page=1"
P[a2_list_deep]="$T/?$Q&size=100&page=$deep_page"
P[b_get_row]="$T/{id}/?$Q"
P[c_create]="$T/?$Q"; M[c_create]=POST; B[c_create]="$work/create.json"
P[d_update]="$T/{id}/?$Q"; M[d_update]=PATCH; B[d_update]="$work/update.json"
P[e1_filter_num]="$T/?$Q&size=100&filters=$F_QTY"
P[e2_filter_text]="$T/?$Q&size=100&filters=$F_TITLE"
P[f_sort_text]="$T/?$Q&size=100&page=1&order_by=title"
P[g_search]="$T/?$Q&size=100&search=nebula"
P[h_count]="$T/?$Q&size=1"
P[i_batch_create]="$T/batch/?$Q"; M[i_batch_create]=POST; B[i_batch_create]="$work/batch.json"

# Let the index advisor see each query once and finish the indexes it builds for them
# (per-field indexes and the substring search index), as a warmed-up server would have.
token=$(login)
for s in $scenarios; do
  [[ "${M[$s]:-GET}" == GET ]] || continue
  curl -s -o /dev/null "$base${P[$s]//\{id\}/1}" -H "Authorization: JWT $token"
done
if (( rows >= 5000 )); then
  want_search=0; want_fields=0
  [[ " $scenarios " == *" e2_filter_text "* || " $scenarios " == *" g_search "* ]] && want_search=1
  [[ " $scenarios " == *" e1_filter_num "* ]] && want_fields=$((want_fields + 1))
  [[ " $scenarios " == *" f_sort_text "* ]] && want_fields=$((want_fields + 1))
  for _ in $(seq 1 600); do
    { (( want_search == 0 )) || grep -q "search index of table $TABLE ready" "$work/server.log"; } &&
      (( $(grep -c "index on table $TABLE field" "$work/server.log") >= want_fields )) && break
    sleep 0.5
  done
  grep -E "index (of|on) table" "$work/server.log" | sed 's/^/# /' || true
fi

mkdir -p "$here/results"
csv="$here/results/data-$rows-$(date -u +%Y%m%dT%H%M%SZ).csv"
echo "scenario,run,req_per_s,p50_ms,p99_ms,single_ms" >"$csv"
to_ms() { awk -v v="$1" 'BEGIN{ if (v ~ /us$/) {sub(/us$/,"",v); print v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v); print v+0} else if (v ~ /s$/) {sub(/s$/,"",v); print v*1000} else print v }'; }

for s in $scenarios; do
  token=$(login)
  export METHOD="${M[$s]:-GET}" PATH_TPL="${P[$s]}" BODY_FILE="${B[$s]:-}" ID_MAX="$rows" AUTH_HEADER="JWT $token"
  # Server time of one request at a time: median of 30 sequential requests (time to first byte).
  single=$(for i in $(seq 1 30); do
    id=$(( (i * 7919) % rows + 1 )); path="${PATH_TPL//\{id\}/$id}"
    if [[ -n "$BODY_FILE" ]]; then
      curl -s -o /dev/null -w '%{time_starttransfer}\n' -X "$METHOD" "$base$path" -H "Authorization: JWT $token" \
        -H 'Content-Type: application/json' --data-binary "$(sed "s/{n}/$i/g; s/{id}/$id/g" "$BODY_FILE")"
    else
      curl -s -o /dev/null -w '%{time_starttransfer}\n' "$base$path" -H "Authorization: JWT $token"
    fi
  done | sort -n | awk '{a[NR]=$1} END{printf "%.2f", a[int((NR+1)/2)]*1000}')
  wrk -t"$threads" -c"$connections" -d3s -s "$here/lua/templated.lua" "$base" >/dev/null
  for r in $(seq 1 "$runs"); do
    out=$(wrk -t"$threads" -c"$connections" -d"$duration" --latency -s "$here/lua/templated.lua" "$base")
    rps=$(echo "$out" | awk '/^Requests\/sec/ {print $2}')
    p50=$(to_ms "$(echo "$out" | awk '$1=="50%" {print $2}')")
    p99=$(to_ms "$(echo "$out" | awk '$1=="99%" {print $2}')")
    bad=$(echo "$out" | awk '/Non-2xx/ {print $5}')
    [[ -n "$bad" ]] && echo "bench: $s had $bad non-2xx answers" >&2
    echo "$s,$r,$rps,$p50,$p99,$single" >>"$csv"
  done
done
rss_kb=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
echo
echo "gridbase data API, $rows rows, $(nproc) cores, server threads 2, wrk -t$threads -c$connections -d$duration x$runs; bulk load $LOAD_ROWS_PER_S rows/s"
awk -F, 'NR>1 {n[$1]++; rps[$1, n[$1]]=$3; p50[$1, n[$1]]=$4; p99[$1, n[$1]]=$5; single[$1]=$6; if (!($1 in seen)) {seen[$1]=1; order[++k]=$1}}
  END {
    printf "%-16s %10s %12s %10s %10s\n", "scenario", "single ms", "req/s (med)", "p50 ms", "p99 ms";
    for (o=1; o<=k; o++) { s=order[o]; m=n[s]; for (i=1;i<=m;i++) idx[i]=i;
      for (i=1;i<=m;i++) for (j=i+1;j<=m;j++) if (rps[s,idx[j]] < rps[s,idx[i]]) {t=idx[i]; idx[i]=idx[j]; idx[j]=t}
      mid=idx[int((m+1)/2)]; printf "%-16s %10.2f %12.0f %10.2f %10.2f\n", s, single[s], rps[s,mid], p50[s,mid], p99[s,mid]; }
  }' "$csv"
echo "peak server RSS: $((rss_kb / 1024)) MiB; raw runs: $csv"
