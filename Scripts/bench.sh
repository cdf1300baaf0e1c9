#!/usr/bin/env bash
# Benchmarks shelflog against SQLite's own tools and writes BENCHMARKS.md (issue 5).
# Usage: Scripts/bench.sh [--small ROWS] [--large EVENTS] [--runs N] [--work DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
command -v sqlite3 >/dev/null || { echo "bench: sqlite3 is required (apt-get install sqlite3)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time is required (apt-get install time)" >&2; exit 1; }
swift build -c release --product shelflog >&2
exec python3 Scripts/bench.py --bin "$(swift build -c release --show-bin-path)/shelflog" "$@"
