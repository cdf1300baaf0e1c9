#!/usr/bin/env python3
"""The current-state model (`shelflog project`, issue 16) on the large log, side by side with a
full replay. Run by `Scripts/bench.sh` after the SQLite figures, or alone with
`Scripts/bench.sh --model-only`; writes the "Current-state model" section of BENCHMARKS.md.

Figures (medians of the runs):

1. the first `project` of the large log (the model built from the first event) / a full replay;
2. the nightly refresh: a 100k-row batch whose events follow the log's (`generate --start`)
   imported, then `project` (folding on from the checkpoint) / a full replay of that log, run
   alternately on a fresh copy of the log with the model each run.

The large log is WORK/large.sqlite when it holds `--large` events (the one `bench.py` made),
else it is generated and imported here (seed 2, as bench.py does).
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import ROOT, generate, iso, timed, write_section  # noqa: E402


def sql(db, query):
    return subprocess.run(["sqlite3", db, query], check=True, capture_output=True,
                          text=True).stdout.strip()


def copy_log(source, target):
    """A copy of a log whose WAL was checkpointed into the main file."""
    for path in (target, target + "-wal", target + "-shm"):
        if os.path.exists(path):
            os.remove(path)
    sql(source, "PRAGMA wal_checkpoint(TRUNCATE);")
    shutil.copyfile(source, target)
    # The copy's pages written back before anything is timed (not during it).
    os.sync()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--large", type=int, default=10_000_000, help="events of the large log")
    parser.add_argument("--nightly", type=int, default=100_000, help="rows of the nightly batch")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--bin", default=os.path.join(ROOT, ".build/release/shelflog"))
    parser.add_argument("--work", default=None, help="scratch folder (default: a temp folder)")
    parser.add_argument("--output", default=os.path.join(ROOT, "BENCHMARKS.md"))
    args = parser.parse_args()
    work = args.work or tempfile.mkdtemp(prefix="shelflog-bench-model-")
    os.makedirs(work, exist_ok=True)
    shelflog = args.bin
    large_db = os.path.join(work, "large.sqlite")
    if not (os.path.exists(large_db) and sql(large_db, "SELECT max(position) FROM log_events") == str(args.large)):
        print(f"1. the large log: {args.large:,} events", flush=True)
        large_csv = os.path.join(work, "large.csv")
        generate(shelflog, args.large, 2, large_csv)
        for path in (large_db, large_db + "-wal", large_db + "-shm"):
            if os.path.exists(path):
                os.remove(path)
        timed(f"{shelflog} import {large_csv} --db {large_db} --recorded-at 2031-06-01T00:00:00Z")
    else:
        print(f"1. reusing {large_db}", flush=True)

    base = os.path.join(work, "model-base.sqlite")
    copy_log(large_db, base)
    out = os.path.join(work, "model-replay")
    replay = f"{shelflog} replay --db {{db}} --at 2099-12-31 --out {out} --format json"
    print("2. the first project (a build from the first event) vs a full replay", flush=True)
    build, _ = timed(f"{shelflog} project --db {base}")
    full_before, _ = timed(replay.format(db=base))
    print(f"  project (build): {build:.2f} s; full replay: {full_before:.2f} s", flush=True)

    # The nightly batch: its events follow the log's (a few rows fall up to ten days before
    # --start, so it starts eleven days after the log's last event).
    last = int(sql(base, "SELECT max(occurred_us) FROM log_events")) / 1e6
    nightly_csv = os.path.join(work, f"nightly-{args.nightly}.csv")
    subprocess.run([shelflog, "generate", "--rows", str(args.nightly), "--seed", "9", "--start",
                    iso(last + 11 * 86400), "--out", nightly_csv], check=True)
    print(f"3. nightly refresh after {args.nightly:,} rows vs a full replay", flush=True)
    refresh_times, replay_times = [], []
    run_db = os.path.join(work, "model-run.sqlite")
    for run in range(args.runs):
        copy_log(base, run_db)
        timed(f"{shelflog} import {nightly_csv} --db {run_db}")
        os.sync()
        seconds, rss = timed(f"{shelflog} project --db {run_db} > {work}/project.out")
        said = open(os.path.join(work, "project.out")).read().strip()
        if "appended since its checkpoint" not in said:
            sys.exit(f"the refresh did not fold on: {said}")
        refresh_times.append(seconds)
        seconds, _ = timed(replay.format(db=run_db))
        replay_times.append(seconds)
        print(f"  run {run + 1}: project {refresh_times[-1]:.2f} s ({rss / 1024:.0f} MiB); full replay"
              f" {replay_times[-1]:.2f} s", flush=True)
    refresh, full = statistics.median(refresh_times), statistics.median(replay_times)
    rows = [
        (f"project, first build of the model, {args.large:,} events / full replay", build, full_before,
         "reported"),
        (f"project after a {args.nightly:,}-row nightly batch on the {args.large:,}-event log / full replay",
         refresh, full, "< 0.1"),
    ]
    write_section(args.output, "Current-state model", f"Scripts/bench_model.py --runs {args.runs}", "",
                  rows, [
                      "Commands: `shelflog project --db model.sqlite` on a copy of the large log (the first build), then",
                      "per run on a fresh copy of that log with its model: `shelflog import nightly.csv` (not timed;",
                      f"`generate --rows {args.nightly} --seed 9 --start <11 days after the log's last event>`), then",
                      "`shelflog project` (it must fold on: 'appended since its checkpoint') vs `shelflog replay --at",
                      "2099-12-31 --format json` of the same log.",
                  ])
    for path in (base, run_db):
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
    if not args.work:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
