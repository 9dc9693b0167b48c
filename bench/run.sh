#!/usr/bin/env bash
# One command for the benchmarks: starts the optimised server on loopback with a fresh data
# dir, creates an account, and drives each scenario with wrk (one warm-up, then BENCH_RUNS
# timed runs). Prints a table and writes bench/results/<timestamp>.csv with
# scenario,run,req_per_s,p50_ms,p99_ms.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
binary="${GRIDBASE_BIN:-$root/build/gridbase}"
duration="${BENCH_DURATION:-10s}"
runs="${BENCH_RUNS:-3}"
connections="${BENCH_CONNECTIONS:-64}"
threads="${BENCH_WRK_THREADS:-2}"
server_threads="${BENCH_SERVER_THREADS:-2}"

command -v wrk >/dev/null || { echo "bench: wrk is missing (make bench-deps)" >&2; exit 1; }
[[ -x "$binary" ]] || { echo "bench: $binary is missing (make build)" >&2; exit 1; }

work=$(mktemp -d /tmp/gridbase-bench-XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$binary" serve --data-dir "$work/data" --port "$port" --threads "$server_threads" --access-log false \
  >"$work/server.log" 2>&1 &
pid=$!
cleanup() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
base="http://127.0.0.1:$port"
for _ in $(seq 1 200); do curl -sf "$base/api/_health/" >/dev/null 2>&1 && break; sleep 0.05; done

export BENCH_EMAIL="bench@example.com" BENCH_PASSWORD="bench-password"
curl -sf -X POST "$base/api/user/" -H 'Content-Type: application/json' \
  -d "{\"name\":\"Bench\",\"email\":\"$BENCH_EMAIL\",\"password\":\"$BENCH_PASSWORD\"}" >/dev/null
login() {
  curl -sf -X POST "$base/api/user/token-auth/" -H 'Content-Type: application/json' \
    -d "{\"email\":\"$BENCH_EMAIL\",\"password\":\"$BENCH_PASSWORD\"}" \
    | sed -E 's/.*"access_token":"([^"]+)".*/\1/'
}
for i in 1 2 3; do
  curl -sf -X POST "$base/api/workspaces/" -H "Authorization: JWT $(login)" -H 'Content-Type: application/json' \
    -d "{\"name\":\"Workspace $i\"}" >/dev/null
done

mkdir -p "$here/results"
csv="$here/results/$(date -u +%Y%m%dT%H%M%SZ).csv"
echo "scenario,run,req_per_s,p50_ms,p99_ms" >"$csv"

to_ms() {  # wrk latency like 1.23ms / 450.00us / 1.02s → milliseconds
  awk -v v="$1" 'BEGIN{ if (v ~ /us$/) {sub(/us$/,"",v); print v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v); print v+0} else if (v ~ /s$/) {sub(/s$/,"",v); print v*1000} else print v }'
}

# scenario name, lua script, path
run_scenario() {
  local name="$1" script="$2" path="$3"
  export BENCH_TOKEN
  BENCH_TOKEN=$(login)  # a fresh token per scenario (tokens live 10 minutes)
  wrk -t"$threads" -c"$connections" -d3s -s "$here/lua/$script" "$base$path" >/dev/null
  for r in $(seq 1 "$runs"); do
    out=$(wrk -t"$threads" -c"$connections" -d"$duration" --latency -s "$here/lua/$script" "$base$path")
    rps=$(echo "$out" | awk '/^Requests\/sec/ {print $2}')
    p50=$(to_ms "$(echo "$out" | awk '$1=="50%" {print $2}')")
    p99=$(to_ms "$(echo "$out" | awk '$1=="99%" {print $2}')")
    non2xx=$(echo "$out" | awk '/Non-2xx/ {print $5}')
    if [[ -n "$non2xx" ]]; then echo "bench: $name had $non2xx non-2xx answers" >&2; fi
    echo "$name,$r,$rps,$p50,$p99" >>"$csv"
  done
}

run_scenario workspaces_list jwt_get.lua /api/workspaces/
run_scenario token_auth token_auth.lua /api/user/token-auth/

rss_kb=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
echo
echo "gridbase $("$binary" --version | awk '{print $2}') on $(nproc) cores, server threads $server_threads, wrk -t$threads -c$connections -d$duration x$runs"
awk -F, 'NR>1 {n[$1]++; rps[$1, n[$1]]=$3; p50[$1, n[$1]]=$4; p99[$1, n[$1]]=$5; order[$1]=NR}
  END {
    printf "%-18s %12s %10s %10s\n", "scenario", "req/s (med)", "p50 ms", "p99 ms";
    for (s in n) {
      # median by sorting run indices on req/s
      m = n[s]; for (i=1;i<=m;i++) idx[i]=i;
      for (i=1;i<=m;i++) for (j=i+1;j<=m;j++) if (rps[s,idx[j]] < rps[s,idx[i]]) {t=idx[i]; idx[i]=idx[j]; idx[j]=t}
      mid = idx[int((m+1)/2)];
      printf "%-18s %12.0f %10.2f %10.2f\n", s, rps[s,mid], p50[s,mid], p99[s,mid];
    }
  }' "$csv"
echo "peak server RSS: $((rss_kb / 1024)) MiB; raw runs: $csv"
