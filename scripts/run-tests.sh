#!/usr/bin/env bash
# Runs the built test suite (`make test` calls this after building): starts a throw-away
# PostgreSQL cluster in BUILD_DIR/pgtest, runs ctest with GRIDBASE_TEST_PG_URL set to its admin URL
# (so the suites run against both stores), and always stops the cluster afterwards. Exits with
# ctest's status; fails if the cluster cannot be started.
#
#   scripts/run-tests.sh BUILD_DIR JOBS
set -uo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 BUILD_DIR JOBS" >&2
  exit 2
fi
build_dir=$1
jobs=$2
cluster="$(dirname "$0")/pg-test-cluster.sh"
pg_dir="$build_dir/pgtest"

stop_cluster() {
  bash "$cluster" stop "$pg_dir" || echo "run-tests: could not remove the test cluster in $pg_dir" >&2
}

# A cluster left over by an interrupted run would hold the directory: remove it first.
stop_cluster
trap stop_cluster EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if ! url=$(bash "$cluster" start "$pg_dir"); then
  echo "run-tests: FAILED to start the PostgreSQL test cluster (see above); not running the tests" >&2
  exit 1
fi
echo "run-tests: PostgreSQL test cluster at $url (log: $pg_dir/log)"
export GRIDBASE_TEST_PG_URL=$url

(cd "$build_dir" && ctest --output-on-failure -j "$jobs")
exit $?
