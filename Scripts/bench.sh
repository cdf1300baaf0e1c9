#!/usr/bin/env bash
# Benchmarks shelflog against SQLite's and PostgreSQL's own tools and writes BENCHMARKS.md
# (issues 5, 14, 15, 16).
# Usage: Scripts/bench.sh [--small ROWS] [--large EVENTS] [--runs N] [--work DIR]
#        Scripts/bench.sh --postgres-only [--runs N] [--work DIR]
#        Scripts/bench.sh --model-only [--large EVENTS] [--runs N] [--work DIR]
# --model-only measures the current-state model (issue 16) on WORK/large.sqlite when it holds
# --large events, else on a log it makes.
# The PostgreSQL figures need the server from Debian's packages (a throwaway one is started
# and stopped) or SHELFLOG_BENCH_POSTGRES set to a server's URL; without either they are
# skipped with a message.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v sqlite3 >/dev/null || { echo "bench: sqlite3 is required (apt-get install sqlite3)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time is required (apt-get install time)" >&2; exit 1; }
swift build -c release --product shelflog >&2
bin="$(swift build -c release --show-bin-path)/shelflog"
postgres_only=false
model_only=false
args=()
for arg in "$@"; do
  case "$arg" in
    --postgres-only) postgres_only=true ;;
    --model-only) model_only=true ;;
    *) args+=("$arg") ;;
  esac
done
# The options of bench.py that the model script also knows.
model_args=()
set -- "${args[@]+"${args[@]}"}"
while [ $# -gt 0 ]; do
  case "$1" in
    --runs|--work|--large) model_args+=("$1" "$2"); shift 2 ;;
    --small) shift 2 ;;
    *) shift ;;
  esac
done
if [ "$model_only" = true ]; then
  python3 Scripts/bench_model.py --bin "$bin" "${model_args[@]+"${model_args[@]}"}"
  exit 0
fi
if [ "$postgres_only" = false ]; then
  python3 Scripts/bench.py --bin "$bin" "${args[@]+"${args[@]}"}"
  python3 Scripts/bench_model.py --bin "$bin" "${model_args[@]+"${model_args[@]}"}"
fi
if [ -n "${SHELFLOG_BENCH_POSTGRES:-}" ] || ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  # Only the options the PostgreSQL script knows.
  pg_args=()
  set -- "${args[@]+"${args[@]}"}"
  while [ $# -gt 0 ]; do
    case "$1" in
      --runs|--work) pg_args+=("$1" "$2"); shift 2 ;;
      --small|--large) shift 2 ;;
      *) shift ;;
    esac
  done
  python3 Scripts/bench_postgres.py --bin "$bin" "${pg_args[@]+"${pg_args[@]}"}"
else
  echo "bench: no PostgreSQL server (apt-get install postgresql, or set SHELFLOG_BENCH_POSTGRES): PostgreSQL figures skipped" >&2
fi
