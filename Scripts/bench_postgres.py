#!/usr/bin/env python3
"""shelflog on PostgreSQL against PostgreSQL's own tools and against SQLite, side by side
(issue 15). Run by `Scripts/bench.sh` after the SQLite figures, or alone with
`Scripts/bench.sh --postgres-only`; writes the "PostgreSQL" section of BENCHMARKS.md.

Figures (A / B, run alternately, medians):

1. `shelflog import` of a 200k-row and a 1M-row batch into a fresh PostgreSQL database /
   `psql \\copy` of the same file into a bare 8-column text table on the same server;
2. a full replay of the 1M-event log from PostgreSQL / the same replay from SQLite;
3. four imports of 250k rows each started at once / one import of the 1M rows;
4. (reported) the server's part of an import alone: `psql` loading the 1M stored rows of the
   log (a binary `COPY` of what shelflog wrote, no parsing, validation or hashing left) into
   a table of `log_events`' columns, then building the indexes an append cannot do without
   (the primary key, replay order, the duplicate check; not explain's) and `ANALYZE`, in one
   transaction / the same `psql \\copy` baseline as 1. It is the floor under figure 1.
5. (reported) the server's part of figure 3 alone: `psql` doing what 4 does with the first
   quarter of those rows, then appending the other three quarters one after the other, each
   in its own transaction, into the indexed table / the `psql` script of 4. It is the floor
   under figure 3.

The server is a throwaway one (`Scripts/postgres-throwaway.sh`, stopped at the end) unless
`SHELFLOG_BENCH_POSTGRES` names one whose role may create databases.
"""
import argparse
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import ROOT, alternate, generate, write_section  # noqa: E402

RECORDED = "--recorded-at 2031-01-01T00:00:00Z"
COLUMNS = "command_id,command,isbn,title,author,quantity,user_id,occurred_at"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default=os.path.join(ROOT, ".build/release/shelflog"))
    parser.add_argument("--work", default=None)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--output", default=os.path.join(ROOT, "BENCHMARKS.md"))
    args = parser.parse_args()
    shelflog = args.bin
    work = args.work or tempfile.mkdtemp(prefix="shelflog-bench-pg-")
    os.makedirs(work, exist_ok=True)

    url = os.environ.get("SHELFLOG_BENCH_POSTGRES")
    server_dir = None
    if not url:
        server_dir = tempfile.mkdtemp(prefix="shelflog-bench-pgdata-")
        url = subprocess.run([os.path.join(ROOT, "Scripts/postgres-throwaway.sh"), "start", server_dir],
                             check=True, capture_output=True, text=True).stdout.strip()
    base = url.rsplit("/", 1)[0]
    try:
        version = server_version(base)
        rows = run(args, shelflog, work, base)
    finally:
        if server_dir:
            subprocess.run([os.path.join(ROOT, "Scripts/postgres-throwaway.sh"), "stop", server_dir])
            subprocess.run(["rm", "-rf", server_dir])
    write_section_for(args, rows, version)


def psql(base, database, sql):
    subprocess.run(["psql", f"{base}/{database}", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql],
                   check=True, stdout=subprocess.DEVNULL)


def fresh_database(base, name):
    psql(base, "postgres", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    psql(base, "postgres", f"CREATE DATABASE {name}")


def bare_table(base):
    """The baseline's target: a new database with a bare table of 8 text columns."""
    fresh_database(base, "bench_bare")
    psql(base, "bench_bare", "CREATE TABLE events (" + ", ".join(f"{c} text" for c in COLUMNS.split(",")) + ")")


def copy_baseline(base, path):
    """The baseline: `psql \\copy` of the batch file into the bare table."""
    return f"psql {base}/bench_bare -X -q -c \"\\copy events FROM '{path}' WITH (FORMAT csv, HEADER true)\""


def server_version(base):
    return subprocess.run(["psql", f"{base}/postgres", "-X", "-A", "-t", "-c", "SHOW server_version"],
                          check=True, capture_output=True, text=True).stdout.strip()


def split(source, parts, folder):
    """Splits a batch into `parts` batches of consecutive rows, each with the header."""
    with open(source) as data:
        header = data.readline()
        lines = data.readlines()
    size = (len(lines) + parts - 1) // parts
    names = []
    for index in range(parts):
        name = os.path.join(folder, f"part-{index}.csv")
        with open(name, "w") as out:
            out.write(header)
            out.writelines(lines[index * size:(index + 1) * size])
        names.append(name)
    return names


def run(args, shelflog, work, base):
    rows = []
    batches = {}
    for count, seed in ((200_000, 3), (1_000_000, 1)):
        path = os.path.join(work, f"batch-{count}.csv")
        generate(shelflog, count, seed, path)
        batches[count] = path

    # 1. import vs psql \copy into a bare table, fresh database each run.
    for count, path in batches.items():
        def prepare(name):
            if name == "A":
                fresh_database(base, "bench_import")
            else:
                bare_table(base)
        a = f"{shelflog} import {path} --db {base}/bench_import {RECORDED}"
        b = copy_baseline(base, path)
        print(f"1. import {count:,} rows into PostgreSQL vs psql \\copy", flush=True)
        imp_a, imp_b, _ = alternate(f"import {count:,}", a, b, args.runs, prepare=prepare)
        rows.append((f"import {count:,} rows into PostgreSQL / psql \\copy into a bare 8-column table",
                     imp_a, imp_b, "≤ 2.0"))

    # 2. full replay of the 1M-event log from PostgreSQL vs the same from SQLite.
    million = batches[1_000_000]
    fresh_database(base, "bench_replay")
    subprocess.run(f"{shelflog} import {million} --db {base}/bench_replay {RECORDED}", shell=True, check=True,
                   stdout=subprocess.DEVNULL)
    sqlite_log = os.path.join(work, "replay.sqlite")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(sqlite_log + suffix):
            os.remove(sqlite_log + suffix)
    subprocess.run(f"{shelflog} import {million} --db {sqlite_log} {RECORDED}", shell=True, check=True,
                   stdout=subprocess.DEVNULL)
    out_a, out_b = os.path.join(work, "replay-pg"), os.path.join(work, "replay-sqlite")
    print("2. replay 1M events: PostgreSQL vs SQLite", flush=True)
    rep_a, rep_b, _ = alternate(
        "replay 1M",
        f"{shelflog} replay --db {base}/bench_replay --at 2031-01-01 --out {out_a} --format json",
        f"{shelflog} replay --db {sqlite_log} --at 2031-01-01 --out {out_b} --format json", args.runs)
    same = subprocess.run(["diff", "-r", out_a, out_b], capture_output=True).returncode == 0
    rows.append((f"full replay of 1,000,000 events from PostgreSQL / from SQLite (reports identical: {'yes' if same else 'NO'})",
                 rep_a, rep_b, "≤ 1.5"))
    floors = server_floor(args, base, work, million)

    # 3. four importers at once (4 x 250k) vs one importer of the 1M rows.
    parts = split(million, 4, work)

    def prepare_many(name):
        fresh_database(base, "bench_many")

    many = " & ".join(f"{shelflog} import {part} --db {base}/bench_many --wait 600 > /dev/null" for part in parts)
    print("3. four importers of 250k at once vs one of 1M", flush=True)
    four, one, _ = alternate(
        "4 x 250k vs 1M", f"{many} & wait",
        f"{shelflog} import {million} --db {base}/bench_many > /dev/null", args.runs, prepare=prepare_many)
    rows.append(("4 importers at once, 4 × 250,000 rows: total / one importer of 1,000,000", four, one, "≤ 1.2"))
    rows.extend(floors)
    return rows


# The indexes an append needs (by name, as shelflog creates them): the rest serve explain.
FLOOR_INDEXES = ("log_events_pkey", "events_by_occurrence", "events_by_command")


def floor_scripts(base, work):
    """psql scripts of the server's part alone, on the 1M rows shelflog stored in `bench_replay`
    (dumped in binary): `one` loads them into a new table of `log_events`' columns and builds the
    indexes an append needs, then `ANALYZE`, in one transaction (one import into an empty log);
    `four` does that with the first quarter, then appends the other three quarters one after
    the other, each in its own transaction, into the indexed table (as later imports must: the
    head row serialises appends, and a log others read keeps its indexes)."""
    names = ", ".join(f"'{name}'" for name in FLOOR_INDEXES)
    definitions = subprocess.run(
        ["psql", f"{base}/bench_replay", "-X", "-A", "-t", "-c",
         f"SELECT indexdef FROM pg_indexes WHERE tablename = 'log_events' AND indexname IN ({names})"
         " ORDER BY indexname"], check=True, capture_output=True, text=True).stdout.split("\n")
    definitions = [d.replace(" ON public.log_events ", " ON floor_events ").replace(" INDEX ", " INDEX floor_", 1)
                   for d in definitions if d.strip()]
    if len(definitions) != len(FLOOR_INDEXES):
        sys.exit(f"bench_postgres: expected the indexes {names} on log_events, found {definitions}")
    last = int(subprocess.run(["psql", f"{base}/bench_replay", "-X", "-A", "-t", "-c",
                               "SELECT max(position) FROM log_events"],
                              check=True, capture_output=True, text=True).stdout.strip())
    quarters = []
    for index in range(4):
        stored = os.path.join(work, f"stored-events-{index}.bin")
        low, high = last * index // 4, last * (index + 1) // 4
        psql(base, "bench_replay",
             f"\\copy (SELECT * FROM log_events WHERE position > {low} AND position <= {high}"
             f" ORDER BY position) TO '{stored}' WITH (FORMAT binary)")
        quarters.append(f"\\copy floor_events FROM '{stored}' WITH (FORMAT binary)\n")
    build = "".join(d + ";\n" for d in definitions) + "ANALYZE floor_events;\nCOMMIT;\n"
    scripts = {}
    for name, text in (
            ("one", "BEGIN;\nCREATE TABLE floor_events (LIKE log_events);\n" + "".join(quarters) + build),
            ("four", "BEGIN;\nCREATE TABLE floor_events (LIKE log_events);\n" + quarters[0] + build
             + "".join("BEGIN;\n" + quarter + "COMMIT;\n" for quarter in quarters[1:]))):
        scripts[name] = os.path.join(work, f"server-floor-{name}.sql")
        with open(scripts[name], "w") as out:
            out.write(text)
    return {name: f"psql {base}/bench_replay -X -q -v ON_ERROR_STOP=1 -f {path}" for name, path in scripts.items()}


def drop_floor_table(base):
    psql(base, "bench_replay", "DROP TABLE IF EXISTS floor_events")


def server_floor(args, base, work, million):
    """Figures 4 and 5: the server's share of the imports of figures 1 and 3, measured with
    psql alone on the rows shelflog stored: one import of 1M rows against the `\\copy`
    baseline; four imports of a quarter each, one after the other, against one import."""
    scripts = floor_scripts(base, work)

    def prepare(name):
        if name == "A":
            drop_floor_table(base)
        else:
            bare_table(base)
    print("4. the server's part of a 1M import alone vs psql \\copy", flush=True)
    a, b, _ = alternate("server floor 1M", scripts["one"], copy_baseline(base, million), args.runs,
                        prepare=prepare)
    print("5. the server's part of four imports of 250k vs one of 1M", flush=True)
    four, one, _ = alternate("server floor 4 x 250k", scripts["four"], scripts["one"], args.runs,
                             prepare=lambda name: drop_floor_table(base))
    return [("the server's part of the 1,000,000-row import alone (psql: binary COPY of the stored rows,"
             " primary key, replay and duplicate-check indexes, ANALYZE) / psql \\copy into a bare table",
             a, b, "reported (the floor under the first two)"),
            ("the server's part of four imports alone (psql: the first quarter as above, then three"
             " appends of 250,000 stored rows into the indexed table) / of one import of 1,000,000",
             four, one, "reported (the floor under the third)")]


def write_section_for(args, rows, version):
    write_section(
        args.output, "PostgreSQL", f"Scripts/bench_postgres.py --runs {args.runs}",
        f",\nPostgreSQL {version} (a throwaway server on 127.0.0.1, Debian's package, default settings)",
        rows, [
            "Commands: `shelflog import batch.csv --db postgresql://…/bench_import` (a new database each run) vs",
            "`psql … -c \"\\copy events FROM 'batch.csv' WITH (FORMAT csv, HEADER true)\"` into a new table of 8",
            "text columns; `shelflog replay --at 2031-01-01 --format json` on the same 1M-row batch imported into",
            "PostgreSQL and into SQLite; the 1M-row batch split into 4 files started at once (`--wait 600`) vs",
            "the whole file, into a new database each run; for the server's part, `psql -f` of one transaction:",
            "`CREATE TABLE floor_events (LIKE log_events)`, `\\copy floor_events FROM 'stored.bin' WITH (FORMAT",
            "binary)` (the 1M rows shelflog stored, dumped with `\\copy (SELECT * FROM log_events …) TO`), the",
            "primary key, `events_by_occurrence` and `events_by_command` as shelflog defines them, `ANALYZE`;",
            "for the server's part of four imports, the same with the first quarter of those rows, then three",
            "transactions of one `\\copy` of the next quarter each into the indexed table, against the script",
            "before (which loads the four quarters in one transaction).",
        ])


if __name__ == "__main__":
    main()
