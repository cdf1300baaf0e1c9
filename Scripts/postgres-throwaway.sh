#!/usr/bin/env bash
# A throwaway PostgreSQL server for shelflog's tests and benchmarks: a new cluster in a folder
# of its own, listening on 127.0.0.1 only at its own port, with a password login (scram) for
# the role `shelflog`, the cluster's superuser: it owns the database `shelflog` and creates
# others (each test makes its own) and roles (the connection-limit tests make one).
#
#   Scripts/postgres-throwaway.sh start DIR [PORT]   initdb into DIR, start; prints the URL
#   Scripts/postgres-throwaway.sh stop DIR           stops the server (DIR is left to remove)
#
# The server comes from Debian's packages (postgresql); as root it runs as the `postgres`
# user, which owns DIR. The URL (with the generated password) is also in DIR/url.
set -euo pipefail

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$bindir/postgres" ] || { echo "postgres-throwaway: no PostgreSQL server (apt-get install postgresql)" >&2; exit 69; }

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
start)
  dir=${2:?folder}
  port=${3:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres: "$dir"
  password=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')
  as_owner bash -c "umask 077; printf '%s\n' '$password' > '$dir/password'"
  as_owner "$bindir/initdb" -D "$dir/data" -U shelflog --pwfile="$dir/password" \
    --auth-host=scram-sha-256 --auth-local=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log"
  as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories='$dir'" \
    -o "-c fsync=on -c max_connections=50" start >/dev/null
  PGPASSWORD=$password "$bindir/psql" -q -h 127.0.0.1 -p "$port" -U shelflog -d postgres \
    -c "CREATE DATABASE shelflog" >/dev/null
  url="postgresql://shelflog:$password@127.0.0.1:$port/shelflog"
  as_owner bash -c "printf '%s\n' '$url' > '$dir/url'"
  echo "$url"
  ;;
stop)
  dir=${2:?folder}
  as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
  ;;
*)
  echo "usage: $0 start DIR [PORT] | stop DIR" >&2
  exit 64
  ;;
esac
