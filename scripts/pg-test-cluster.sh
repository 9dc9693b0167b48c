#!/usr/bin/env bash
# A throw-away PostgreSQL 15 cluster for the test suite.
#
#   scripts/pg-test-cluster.sh start DIR   creates and starts a cluster in DIR (which must not exist
#                                          or be empty); prints the admin URL
#                                          postgresql://gridbase@127.0.0.1:<port>/postgres on stdout
#                                          (and writes it to DIR/url). Server log: DIR/log.
#                                          On failure: exit status 1, the reason on stderr.
#   scripts/pg-test-cluster.sh stop DIR    kills the cluster (immediate shutdown) and removes DIR.
#                                          Safe after a failed or partial start, or when nothing runs.
#
# The server listens on 127.0.0.1 only, on a free port, with trust authentication and durability
# turned off (fsync, synchronous_commit, full_page_writes): never put data you want to keep in it.
# PG_DURABLE=1 (benchmarks: bench/stores.sh, bench/nodes.sh) keeps PostgreSQL's durable defaults
# instead (fsync, synchronous_commit and full_page_writes on) and sets shared_buffers = 256MB.
# Role `gridbase` (LOGIN CREATEDB, not superuser) owns the databases the tests create; pg_trgm is
# a trusted extension, so a database owner can CREATE EXTENSION it.
#
# initdb and pg_ctl refuse to run as root: as root the cluster runs as the `postgres` system user.
# If that user cannot reach DIR (e.g. a clone under /root), or DIR is too long for a unix socket
# path, the data directory and socket live in a private directory under ${TMPDIR:-/tmp} instead,
# with DIR/data a symlink to it; `stop` removes both.
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
ROLE=gridbase

die() { echo "pg-test-cluster: $*" >&2; exit 1; }

# Runs a command as the cluster user (postgres when we are root, else ourselves).
as_cluster_user() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# The data directory and socket directory of the cluster whose state lives in $1.
cluster_home() {
  local dir=$1
  if [[ -f "$dir/home" ]]; then
    cat "$dir/home"
  else
    printf '%s\n' "$dir"
  fi
}

stop_cluster() {
  local dir=$1 home pid entry
  # Refuse to delete a directory this script did not make (e.g. a mistyped DIR).
  if [[ -d "$dir" ]]; then
    for entry in "$dir"/* "$dir"/.[!.]*; do
      [[ -e "$entry" || -L "$entry" ]] || continue
      case "${entry##*/}" in
        data|log|url|home|initdb.log|.s.PGSQL.*) ;;
        *) die "$dir does not look like a test cluster (it holds ${entry##*/}); not removing it" ;;
      esac
    done
  elif [[ -e "$dir" ]]; then
    die "$dir is not a directory; not removing it"
  fi
  home=$(cluster_home "$dir")
  if [[ -f "$home/data/postmaster.pid" ]]; then
    if ! as_cluster_user "$PG_BIN/pg_ctl" stop -D "$home/data" -m immediate -w -t 30 >/dev/null 2>&1; then
      # pg_ctl could not stop it (or it was not running): make sure the postmaster is gone.
      pid=$(head -n 1 "$home/data/postmaster.pid" 2>/dev/null || true)
      if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null \
         && [[ "$(readlink "/proc/$pid/exe" 2>/dev/null || true)" == "$PG_BIN/postgres" ]]; then
        kill -KILL "$pid" 2>/dev/null || true
      fi
    fi
  fi
  if [[ "$home" != "$dir" && "$home" == */gridbase-pgtest.* ]]; then
    rm -rf -- "$home"
  fi
  rm -rf -- "$dir"
}

# A free TCP port on 127.0.0.1 (the kernel's pick; start retries if someone takes it meanwhile).
free_port() {
  python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

start_cluster() {
  local dir=$1 home locale port url logsize started=0
  if [[ -e "$dir" && -n "$(ls -A "$dir" 2>/dev/null)" ]]; then
    die "$dir exists and is not empty (a leftover cluster? run: $0 stop $dir)"
  fi
  [[ -x "$PG_BIN/initdb" ]] || die "no PostgreSQL 15 in $PG_BIN (run scripts/install-deps.sh)"
  [[ -x "$PG_BIN/psql" ]] || die "no psql in $PG_BIN (run scripts/install-deps.sh)"
  command -v python3 >/dev/null || die "python3 not found (run scripts/install-deps.sh)"
  if [[ $(id -u) -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
    die "running as root but there is no postgres system user (run scripts/install-deps.sh)"
  fi

  mkdir -p "$dir"
  home=$dir
  if [[ $(id -u) -eq 0 ]]; then
    chown postgres: "$dir"
  fi
  # Unix socket paths are limited to 107 bytes: "$home/.s.PGSQL.65535" must fit.
  if [[ ${#dir} -gt 90 ]] \
     || { [[ $(id -u) -eq 0 ]] && ! runuser -u postgres -- test -w "$dir/." 2>/dev/null; }; then
    home=$(mktemp -d "${TMPDIR:-/tmp}/gridbase-pgtest.XXXXXX")
    printf '%s\n' "$home" >"$dir/home"
    if [[ $(id -u) -eq 0 ]]; then
      chown postgres: "$home"
    fi
    ln -s "$home/data" "$dir/data"
    ln -s "$home/log" "$dir/log"
  fi

  # C.UTF-8 (glibc's built-in) gives code-point ordering and Unicode-aware lower()/upper();
  # ICU collations (CREATE COLLATION ... provider = icu) work whatever the default locale is.
  if locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$'; then locale=C.UTF-8; else locale=C; fi
  if ! as_cluster_user "$PG_BIN/initdb" -D "$home/data" -A trust -U postgres -E UTF8 \
       --locale="$locale" --no-sync >"$home/initdb.log" 2>&1; then
    cat "$home/initdb.log" >&2
    die "initdb failed"
  fi
  : >"$home/log"
  if [[ $(id -u) -eq 0 ]]; then chown postgres: "$home/log"; fi
  cat >>"$home/data/postgresql.conf" <<EOF

# gridbase throw-away test cluster (scripts/pg-test-cluster.sh)
listen_addresses = '127.0.0.1'
unix_socket_directories = '$home'
max_connections = 300
EOF
  if [[ "${PG_DURABLE:-}" == 1 ]]; then
    printf '%s\n' '# PG_DURABLE=1: the durable defaults (fsync, synchronous_commit, full_page_writes on)' \
      'shared_buffers = 256MB' >>"$home/data/postgresql.conf"
  else
    printf '%s\n' 'fsync = off' 'synchronous_commit = off' 'full_page_writes = off' 'shared_buffers = 128MB' \
      >>"$home/data/postgresql.conf"
  fi

  for _ in 1 2 3 4 5; do
    port=$(free_port)
    logsize=$(stat -c %s "$home/log")
    if as_cluster_user "$PG_BIN/pg_ctl" start -D "$home/data" -l "$home/log" -w -t 60 \
         -o "-p $port" >/dev/null 2>&1; then
      started=1
      break
    fi
    as_cluster_user "$PG_BIN/pg_ctl" stop -D "$home/data" -m immediate >/dev/null 2>&1 || true
    # Retry only when someone took the port between free_port and the server's bind.
    tail -c +"$((logsize + 1))" "$home/log" | grep -q 'Address already in use' || break
    echo "pg-test-cluster: port $port was taken, trying another" >&2
  done
  if [[ $started -ne 1 ]]; then
    tail -n 30 "$home/log" >&2 || true
    die "the server did not start (log: $dir/log)"
  fi

  if ! "$PG_BIN/psql" "postgresql://postgres@127.0.0.1:$port/postgres" -X -q -v ON_ERROR_STOP=1 \
       -c "CREATE ROLE $ROLE LOGIN CREATEDB" >>"$home/log" 2>&1; then
    tail -n 30 "$home/log" >&2 || true
    as_cluster_user "$PG_BIN/pg_ctl" stop -D "$home/data" -m immediate >/dev/null 2>&1 || true
    die "could not create role $ROLE (log: $dir/log)"
  fi

  url="postgresql://$ROLE@127.0.0.1:$port/postgres"
  printf '%s\n' "$url" >"$dir/url"
  printf '%s\n' "$url"
}

case "${1:-}" in
  start|stop)
    [[ $# -eq 2 && -n "$2" ]] || die "usage: $0 start|stop DIR"
    dir=$(realpath -m -- "$2")
    [[ "$dir" != "/" ]] || die "refusing DIR=/"
    "${1}_cluster" "$dir"
    ;;
  *)
    die "usage: $0 start|stop DIR"
    ;;
esac
