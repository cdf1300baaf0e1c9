#!/usr/bin/env bash
# Crash test of the write side (docs/importing.md, "Batch atomicity and idempotency"): an import
# that is killed at any instant leaves the log exactly as it was before a batch or exactly as
# after it, never in between; a re-run of the same import completes it without losing or
# duplicating an event.
#
#   Scripts/crash-test.sh [TRIALS]          # default 200
#
# Each trial imports a small seed batch into a fresh log, starts one import of several large
# batches, sends it SIGKILL after a random delay (spread over the whole import, a share of the
# trials aimed at the instants the batches commit, and a few just after it ends), then checks:
#   - `shelflog verify` exits 0, and counts the events and batches that sqlite3 finds;
#   - each batch's events are all in the log or none of them, and the `batches` table holds a
#     batch exactly when its events are there;
#   - every batch the killed import reported as imported is in the log; the seed is intact;
#   - re-running the same import exits 0, `verify` exits 0 again, and the log holds every row
#     exactly once (count(*) = count(DISTINCT command_id) = the rows of all files).
# Every fifth trial instead imports into a log that does not exist yet and is killed within
# 50 ms, while the import creates the log and its schema (there `verify` may exit 66 when no
# batch landed: the log is missing or not yet a log); the re-run must still complete it.
# One line per trial, then `N trials: P partial batches, L lost, D duplicated, K killed
# mid-import`. Exit 1 on any fault (the faulty logs are kept and named).
#
# Environment:
#   SHELFLOG_BIN   an existing shelflog binary (default: `swift build -c release`, then its bin)
#   CRASH_BATCHES  batches per import (default 3)
#   CRASH_ROWS     rows per batch (default 60000)
#   CRASH_SEED     seed of the delays and the generated batches (default: random, printed)
#   CRASH_NEW_LOG_EVERY  every Nth trial imports into a new log, killed while it is created
#                  (default 5; 0 never)
#   CRASH_KEEP     1 keeps the work folder even when every trial passed
set -euo pipefail

trials=${1:-200}
batches=${CRASH_BATCHES:-3}
rows=${CRASH_ROWS:-60000}
seed=${CRASH_SEED:-$((RANDOM * 32768 + RANDOM))}
new_log_every=${CRASH_NEW_LOG_EVERY:-5}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

if ! [[ $trials =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: $0 [TRIALS]   (a positive number; default 200)" >&2
  exit 64
fi
for tool in sqlite3 python3; do
  command -v "$tool" >/dev/null || {
    echo "crash-test: $tool is required" >&2
    exit 69
  }
done

if [[ -n ${SHELFLOG_BIN:-} ]]; then
  bin=$SHELFLOG_BIN
else
  echo "building the release binary (swift build -c release)..." >&2
  (cd "$root" && swift build -c release >&2)
  bin="$(cd "$root" && swift build -c release --show-bin-path)/shelflog"
fi
[[ -x $bin ]] || {
  echo "crash-test: no executable shelflog at $bin" >&2
  exit 69
}

work=$(mktemp -d "${TMPDIR:-/tmp}/shelflog-crash.XXXXXX")
keep=${CRASH_KEEP:-0}
cleanup() {
  if [[ $keep == 1 ]]; then
    echo "work folder kept: $work" >&2
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT

RANDOM=$seed
echo "crash-test: $trials trials, $batches batches of $rows rows, seed $seed, binary $bin"

# The batches: unique command ids across all files, valid rows of all four commands.
python3 - "$work" "$batches" "$rows" "$seed" <<'PY'
import datetime, random, sys

folder, batches, rows, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rng = random.Random(seed)

def isbn13(body):
    digits = "978%09d" % body
    total = sum(int(c) * (1 if i % 2 == 0 else 3) for i, c in enumerate(digits))
    return digits + str((10 - total % 10) % 10)

isbns = [isbn13(100000 + k) for k in range(800)]
start = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
header = "command_id,command,isbn,title,author,quantity,user_id,occurred_at\n"

with open(f"{folder}/seed.csv", "w", newline="") as out:
    out.write(header)
    for k in range(5):
        out.write(f"seed-{k},AddBook,{isbns[k]},Seed {k},Seed Author,3,,2023-12-31T00:00:0{k}Z\n")

for b in range(1, batches + 1):
    with open(f"{folder}/batch-{b}.csv", "w", newline="") as out:
        out.write(header)
        for i in range(rows):
            when = (start + datetime.timedelta(seconds=(b - 1) * rows + i)).strftime(
                "%Y-%m-%dT%H:%M:%SZ")
            isbn = isbns[rng.randrange(len(isbns))]
            user = f"user{rng.randrange(5000)}"
            kind = i % 8
            cid = f"s{seed}-b{b}-{i}"
            if kind == 0:
                out.write(f'{cid},AddBook,{isbn},"Title {i % 977}, vol. {b}",Author {i % 53},'
                          f"{1 + i % 4},,{when}\n")
            elif kind in (3, 5):
                out.write(f"{cid},ReturnBook,{isbn},,,,{user},{when}\n")
            elif i % 64 == 7:
                out.write(f"{cid},RemoveBook,{isbn},,,,,{when}\n")
            else:
                out.write(f"{cid},BorrowBook,{isbn},,,,{user},{when}\n")
PY

files=()
shas=()
for ((b = 1; b <= batches; b++)); do
  files+=("$work/batch-$b.csv")
  shas+=("$(sha256sum "$work/batch-$b.csv" | cut -d' ' -f1)")
done
seed_rows=5
expected_total=$((seed_rows + batches * rows))
log=$work/log.sqlite

now_ms() { date +%s%3N; }

# A fresh log holding only the seed batch.
fresh_log() {
  rm -f "$log" "$log-wal" "$log-shm" "$log-journal"
  "$bin" import "$work/seed.csv" --db "$log" >/dev/null
}

# Calibration: one import left alone, to learn how long it takes; then one watched by polling
# the batches table, to learn at what share of the import each batch commits (the polling slows
# the import down, so only the shares are kept). The delays aim at those instants.
fresh_log
start=$(now_ms)
status=0
"$bin" import "${files[@]}" --db "$log" >"$work/calibration.out" 2>&1 || status=$?
duration=$(($(now_ms) - start))
if ((status != 0)); then
  echo "crash-test: the calibration import failed (exit $status):" >&2
  cat "$work/calibration.out" >&2
  exit 1
fi
calibrated=$(sqlite3 "$log" "SELECT count(*) || ' ' || count(DISTINCT command_id) FROM events")
if [[ $calibrated != "$expected_total $expected_total" ]]; then
  echo "crash-test: the calibration import left '$calibrated' events, expected $expected_total" >&2
  exit 1
fi
fresh_log
commits=()
start=$(now_ms)
"$bin" import "${files[@]}" --db "$log" >"$work/calibration.out" 2>&1 &
pid=$!
seen=1
while kill -0 "$pid" 2>/dev/null; do
  n=$(sqlite3 "$log" "SELECT count(*) FROM batches" 2>/dev/null || echo "$seen")
  while ((n > seen)); do
    commits+=($(($(now_ms) - start)))
    seen=$((seen + 1))
  done
  sleep 0.02
done
wait "$pid" || true
watched=$(($(now_ms) - start))
for ((b = 0; b < batches; b++)); do
  commits[b]=$((${commits[b]:-$watched} * duration / watched))
done
echo "calibration: import of ${#files[@]} batches took $duration ms;" \
  "batches committed at ~${commits[*]} ms"

# A random delay in milliseconds: 10% in the first 40 ms (start-up, opening the log), 30%
# within 25 ms of a batch's commit, 10% up to 40% past the end, the rest anywhere in the import.
pick_delay() {
  local r=$((RANDOM % 100)) wide=$((RANDOM * 32768 + RANDOM))
  if ((r < 10)); then
    echo $((wide % 40))
  elif ((r < 40)); then
    local at=${commits[$((RANDOM % batches))]}
    local d=$((at - 25 + wide % 51))
    echo $((d < 0 ? 0 : d))
  elif ((r < 50)); then
    echo $((duration + wide % (duration * 4 / 10 + 1)))
  else
    echo $((wide % (duration + 1)))
  fi
}

partial=0 lost=0 duplicated=0 killed=0 faults=0 new_logs=0
verify_failures=0 rerun_failures=0 other=0
declare -A landed_histogram=()

# Reads the log with sqlite3 without creating it; prints nothing when it cannot.
sq() {
  if [[ -e $log ]]; then
    sqlite3 "$log" "$1" 2>/dev/null || true
  fi
}

for ((t = 1; t <= trials; t++)); do
  # Every NEW_LOG_EVERY-th trial imports into a log that does not exist yet and is killed in
  # its first 50 ms, while the import creates the log and its schema.
  if ((new_log_every > 0 && t % new_log_every == 0)); then
    new_log=1
    rm -f "$log" "$log-wal" "$log-shm" "$log-journal"
    delay=$((RANDOM % 51))
    want_total=$((batches * rows))
    want_batches=$batches
    new_logs=$((new_logs + 1))
  else
    new_log=0
    fresh_log
    delay=$(pick_delay)
    want_total=$expected_total
    want_batches=$((batches + 1))
  fi
  out=$work/trial.out
  "$bin" import "${files[@]}" --db "$log" >"$out" 2>&1 &
  pid=$!
  sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
  kill -9 "$pid" 2>/dev/null || true
  status=0
  { wait "$pid"; } 2>/dev/null || status=$?
  how="exited $status"
  if ((status == 137)); then
    killed=$((killed + 1))
    how="killed mid-import"
  elif ((status != 0)); then
    how="FAILED with exit $status"
  fi
  problems=()
  ((status == 0 || status == 137)) || {
    problems+=("import exited $status: $(tr '\n' ' ' <"$out")")
    other=$((other + 1))
  }

  # 1. verify after the kill (judged below, once we know whether a batch landed).
  verify_status=0
  v=$("$bin" verify --db "$log" 2>&1) || verify_status=$?

  # 2. Whole batches only; the batches table agrees; the seed is intact; what the import said
  # it imported is there.
  declare -A count=()
  while read -r sha n; do
    [[ -n $sha ]] && count[$sha]=$n
  done < <(sq "SELECT batch, count(*) FROM events GROUP BY batch" | tr '|' ' ')
  landed=0
  for ((b = 0; b < batches; b++)); do
    sha=${shas[b]}
    n=${count[$sha]:-0}
    recorded=$(sq "SELECT count(*) FROM batches WHERE sha256 = '$sha'")
    recorded=${recorded:-0}
    if ((n == rows)); then
      landed=$((landed + 1))
      ((recorded == 1)) || {
        problems+=("batch-$((b + 1)): all events but $recorded batches rows")
        partial=$((partial + 1))
      }
    elif ((n == 0)); then
      ((recorded == 0)) || {
        problems+=("batch-$((b + 1)): no events but a batches row")
        partial=$((partial + 1))
      }
      if grep -q "accepted.*(sha256 ${sha:0:12}" "$out"; then
        problems+=("batch-$((b + 1)) was reported imported but is not in the log")
        lost=$((lost + rows))
      fi
    else
      problems+=("batch-$((b + 1)): PARTIAL, $n of $rows events")
      partial=$((partial + 1))
    fi
  done
  seed_now=$(sq "SELECT count(*) FROM events WHERE command_id LIKE 'seed-%'")
  if ((new_log == 0 && ${seed_now:-0} != seed_rows)); then
    problems+=("seed batch has $seed_now of $seed_rows events")
    lost=$((lost + seed_rows - ${seed_now:-0}))
  fi
  # A new log that no batch reached may be missing or not yet a log: verify may say so (66).
  if ((verify_status != 0)) && ! ((new_log == 1 && landed == 0 && verify_status == 66)); then
    problems+=("verify after kill (exit $verify_status): $v")
    verify_failures=$((verify_failures + 1))
  fi
  landed_histogram[$landed]=$((${landed_histogram[$landed]:-0} + 1))
  # What verify saw (first, before any other program opened the log) is what is there.
  in_log=$(sq "SELECT (SELECT count(*) FROM events) || ' events in ' ||
    (SELECT count(*) FROM batches) || ' batches'")
  if [[ $v == ok:* && $v != "ok: $in_log;"* ]]; then
    problems+=("verify saw '${v%%;*}', the log holds $in_log")
    verify_failures=$((verify_failures + 1))
  fi

  # 3. Re-run the same import: it completes the log, every row exactly once.
  start=$(now_ms)
  rerun_ok=1
  if ! r=$("$bin" import "${files[@]}" --db "$log" 2>&1); then
    rerun_ok=0
    problems+=("re-run failed: $(tr '\n' ' ' <<<"$r")")
    rerun_failures=$((rerun_failures + 1))
  elif ((landed == 0 && new_log == 0)); then
    # A re-run that imported every batch is another calibration run: the machine's load
    # changes, so the delays follow the import's current duration (a running mean).
    rerun_ms=$(($(now_ms) - start))
    for ((b = 0; b < batches; b++)); do
      commits[b]=$(((commits[b] * 3 * rerun_ms / duration + commits[b]) / 4))
    done
    duration=$(((duration + 3 * rerun_ms) / 4))
  fi
  if ! v=$("$bin" verify --db "$log" 2>&1); then
    problems+=("verify after re-run: $v")
    verify_failures=$((verify_failures + 1))
  fi
  total=0 distinct=0
  read -r total distinct < <(
    sq "SELECT count(*), count(DISTINCT command_id) FROM events" | tr '|' ' '
  ) || true
  # (After a failed re-run the missing rows are that failure, not lost events.)
  if ((rerun_ok == 1 && distinct < want_total)); then
    problems+=("$((want_total - distinct)) rows missing after re-run")
    lost=$((lost + want_total - distinct))
  fi
  if ((total > distinct)); then
    problems+=("$((total - distinct)) events duplicated after re-run")
    duplicated=$((duplicated + total - distinct))
  fi
  if ((distinct > want_total)); then
    problems+=("$((distinct - want_total)) unexpected command ids after re-run")
    other=$((other + 1))
  fi
  batch_rows=$(sq "SELECT count(*) FROM batches")
  if ((rerun_ok == 1 && ${batch_rows:-0} != want_batches)); then
    problems+=("batches table has ${batch_rows:-0} rows after re-run, expected $want_batches")
    other=$((other + 1))
  fi
  unset count

  if ((${#problems[@]} == 0)); then
    echo "trial $t/$trials:$([[ $new_log == 1 ]] && echo " new log,") delay $delay ms, $how," \
      "$landed/$batches batches in the log (whole), verify ok, re-run ok: $total events," \
      "0 lost, 0 duplicated"
  else
    faults=$((faults + 1))
    kept=$work/failed-trial-$t
    mkdir -p "$kept"
    cp "$log"* "$out" "$kept/" 2>/dev/null || true
    keep=1
    echo "trial $t/$trials:$([[ $new_log == 1 ]] && echo " new log,") delay $delay ms, $how," \
      "$landed/$batches batches in the log: FAULT"
    printf '  - %s\n' "${problems[@]}"
    echo "  (log kept in $kept)"
  fi
done

histogram=""
for ((b = 0; b <= batches; b++)); do
  histogram+=" $b:${landed_histogram[$b]:-0}"
done
echo "batches in the log after the kill (count:trials):$histogram"
echo "import duration at the end: ~$duration ms (calibrated from the full re-runs)"
echo "trials into a new log: $new_logs"
echo "verify failures: $verify_failures, re-run failures: $rerun_failures, other faults: $other"
echo "$trials trials: $partial partial batches, $lost lost, $duplicated duplicated," \
  "$killed killed mid-import"
if ((faults > 0)); then
  echo "crash-test: FAILED in $faults of $trials trials (seed $seed)" >&2
  exit 1
fi
