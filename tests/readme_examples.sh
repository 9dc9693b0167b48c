#!/usr/bin/env bash
# Runs every shell block of README.md that sits between <!-- readme-test:begin --> and
# <!-- readme-test:end --> against a fresh server, with http://127.0.0.1:8000 replaced by the
# test server's address. Fails when any command fails.
set -euo pipefail
binary="$1"
readme="$2"
dir=$(mktemp -d /tmp/gridbase-readme-XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$binary" serve --data-dir "$dir/data" --port "$port" --threads 1 --webhooks-allow-private-address true \
  --baasbox-admin-password readme-admin-pw \
  >"$dir/server.log" 2>&1 &
pid=$!
cleanup() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT
for _ in $(seq 1 200); do
  curl -sf "http://127.0.0.1:$port/api/_health/" >/dev/null 2>&1 && break
  sleep 0.05
done
awk '/<!-- readme-test:begin -->/{on=1; next} /<!-- readme-test:end -->/{on=0} on && !/^```/' "$readme" \
  | sed "s#http://127.0.0.1:8000#http://127.0.0.1:$port#g" >"$dir/examples.sh"
lines=$(grep -c 'curl' "$dir/examples.sh" || true)
if [[ "$lines" -lt 5 ]]; then
  echo "readme_examples: found only $lines curl commands in README.md" >&2
  exit 1
fi
cd "$dir"
if ! bash -euo pipefail "$dir/examples.sh" >"$dir/out.txt" 2>&1; then
  echo "readme_examples: a README example failed" >&2
  cat "$dir/out.txt" >&2
  tail -20 "$dir/server.log" >&2
  exit 1
fi
echo "readme_examples: $lines curl commands ran"
