#!/usr/bin/env python3
"""Reference replay: an independent oracle for shelflog's read side.

Written from the rules of docs/reports.md (replay semantics and reports) only, not
from shelflog's sources. It reads the event log as printed by
`shelflog log --format jsonl` (a file, or `-` for standard input), cuts it at
`--at T` (and `--known-at K`), folds it in (occurred_at, position) order and
writes the JSON reports summary, inventory, loans and anomalies.

    shelflog log --db demo.sqlite --format jsonl > log.jsonl
    python3 Scripts/reference_replay.py --jsonl log.jsonl --at 2024-06-30 --out DIR
    python3 Scripts/reference_replay.py --jsonl log.jsonl --at 2024-06-30 \\
        [--known-at 2024-07-01T02:00:00Z] --compare fixtures/demo/expected/2024-06-30

`--compare DIR` loads shelflog's JSON reports from DIR and prints every
difference (report, row key, field, expected vs actual); exit 1 on any, 0
when all four agree. `anomalies[].detail` is text for people and is not
compared. Exit 64 on a usage error, 66 when an input is missing.

Times are compared as integers (microseconds since the epoch), never as
text; a bare date YYYY-MM-DD means YYYY-MM-DDT23:59:59.999999Z.
Standard library only (Python 3.11).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import pathlib
import re
import sys

ANOMALY_TYPES = ["catalog_conflict", "loan_limit_exceeded", "over_borrow",
                 "removed_while_on_loan", "return_without_loan", "unknown_book"]
US_PER_DAY = 86_400 * 1_000_000
EPOCH_ORD = dt.date(1970, 1, 1).toordinal()

TIME_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(Z|[+-]\d{2}:\d{2})$")
DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


class UsageError(Exception):
    pass


def parse_time(text: str, allow_date: bool = False) -> int:
    """RFC 3339 time (docs/importing.md), or a bare date when allowed: µs since epoch."""
    m = DATE_RE.match(text) if allow_date else None
    if m:
        y, mo, d = map(int, m.groups())
        day = dt.date(y, mo, d).toordinal() - EPOCH_ORD
        return (day + 1) * US_PER_DAY - 1
    m = TIME_RE.match(text)
    if not m:
        raise ValueError(f"not an RFC 3339 time: {text!r}")
    y, mo, d, h, mi, s, frac, off = m.groups()
    h, mi, s = int(h), int(mi), int(s)
    if h > 23 or mi > 59 or s > 59:
        raise ValueError(f"time of day out of range: {text!r}")
    day = dt.date(int(y), int(mo), int(d)).toordinal() - EPOCH_ORD
    us = int((frac or "").ljust(6, "0") or 0)
    offset_min = 0
    if off != "Z":
        sign = 1 if off[0] == "+" else -1
        oh, om = int(off[1:3]), int(off[4:6])
        if oh > 23 or om > 59:
            raise ValueError(f"offset out of range: {text!r}")
        offset_min = sign * (oh * 60 + om)
    return ((day * 86_400 + h * 3600 + mi * 60 + s - offset_min * 60) * 1_000_000) + us


def fmt_time(us: int) -> str:
    """docs/reports.md: UTC with Z, six fraction digits only when non-zero."""
    secs, frac = divmod(us, 1_000_000)
    days, rem = divmod(secs, 86_400)
    date = dt.date.fromordinal(days + EPOCH_ORD)
    h, rem = divmod(rem, 3600)
    m, s = divmod(rem, 60)
    text = f"{date.isoformat()}T{h:02d}:{m:02d}:{s:02d}"
    if frac:
        text += f".{frac:06d}"
    return text + "Z"


# --------------------------------------------------------------------------
# Loading the log
# --------------------------------------------------------------------------

def load_events(source: str) -> list[dict]:
    if source == "-":
        lines = sys.stdin.read().splitlines()
    else:
        path = pathlib.Path(source)
        if not path.is_file():
            print(f"reference_replay: {source}: no such file", file=sys.stderr)
            sys.exit(66)
        lines = path.read_text(encoding="utf-8").splitlines()
    events = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        ev = json.loads(line)
        ev["_t"] = parse_time(ev["occurred_at"])
        ev["_rec"] = parse_time(ev["recorded_at"])
        events.append(ev)
    events.sort(key=lambda e: e["position"])
    return events


# --------------------------------------------------------------------------
# The fold (docs/reports.md)
# --------------------------------------------------------------------------

def replay(events: list[dict], at_us: int, known_us: int | None,
           loan_days: int, max_loans: int) -> dict:
    known = [e for e in events if known_us is None or e["_rec"] <= known_us]
    log_head = known[-1]["hash"] if known else None
    applied = sorted((e for e in known if e["_t"] <= at_us),
                     key=lambda e: (e["_t"], e["position"]))

    books: dict[str, dict] = {}
    loans_by_user: dict[str, list[dict]] = {}
    open_by_user: dict[str, list[dict]] = {}
    anomalies: list[dict] = []

    def anomaly(kind: str, ev: dict, detail: str) -> None:
        anomalies.append({
            "type": kind,
            "occurred_at": fmt_time(ev["_t"]),
            "position": ev["position"],
            "command_id": ev.get("command_id") or None,
            "isbn": ev["isbn"],
            "user_id": ev.get("user_id") or None,
            "detail": detail,
        })

    for ev in applied:
        kind = ev["type"]
        isbn = ev["isbn"]
        book = books.get(isbn)
        active = book is not None and book["status"] == "active"
        if kind == "BookAdded":
            if not active:
                books[isbn] = {"title": ev["title"], "author": ev["author"],
                               "total": ev["quantity"],
                               "on_loan": book["on_loan"] if book else 0,
                               "status": "active"}
            else:
                if ev["title"] != book["title"] or ev["author"] != book["author"]:
                    anomaly("catalog_conflict", ev,
                            f"added as {ev['title']!r} by {ev['author']!r}, "
                            f"catalogue has {book['title']!r} by {book['author']!r}")
                book["total"] += ev["quantity"]
        elif kind == "BookBorrowed":
            user = ev["user_id"]
            open_loans = open_by_user.setdefault(user, [])
            loan = {"isbn": isbn, "borrowed_us": ev["_t"], "position": ev["position"],
                    "returned_us": None, "counted": active}
            if active:
                if book["total"] - book["on_loan"] <= 0:
                    anomaly("over_borrow", ev, "no copy available")
                if len(open_loans) >= max_loans:
                    anomaly("loan_limit_exceeded", ev,
                            f"{len(open_loans)} open loans already")
                book["on_loan"] += 1
            else:
                anomaly("unknown_book", ev, "borrow of an unknown or removed ISBN")
            open_loans.append(loan)
            loans_by_user.setdefault(user, []).append(loan)
        elif kind == "BookReturned":
            user = ev["user_id"]
            open_loans = open_by_user.setdefault(user, [])
            match = next((l for l in open_loans if l["isbn"] == isbn), None)
            if match is None:
                anomaly("return_without_loan", ev, "no open loan of this ISBN")
            else:
                open_loans.remove(match)
                match["returned_us"] = ev["_t"]
                if match["counted"]:
                    book["on_loan"] -= 1
        elif kind == "BookRemoved":
            if active:
                if book["on_loan"] > 0:
                    anomaly("removed_while_on_loan", ev, f"{book['on_loan']} on loan")
                book["status"] = "removed"
            else:
                anomaly("unknown_book", ev, "removal of an unknown or removed ISBN")
        else:
            raise ValueError(f"position {ev['position']}: unknown event type {kind!r}")

    at_text = fmt_time(at_us)
    known_text = fmt_time(known_us) if known_us is not None else None
    limit = loan_days * US_PER_DAY

    def overdue(loan: dict) -> bool:
        return loan["returned_us"] is None and loan["borrowed_us"] + limit < at_us

    inventory_rows = []
    for isbn in sorted(books):
        b = books[isbn]
        inventory_rows.append({"isbn": isbn, "title": b["title"], "author": b["author"],
                               "total": b["total"], "on_loan": b["on_loan"],
                               "available": b["total"] - b["on_loan"],
                               "status": b["status"]})
    users = []
    for user in sorted(loans_by_user):
        rows = []
        for loan in sorted(loans_by_user[user], key=lambda l: (l["borrowed_us"], l["position"])):
            b = books.get(loan["isbn"])
            rows.append({"isbn": loan["isbn"], "title": b["title"] if b else None,
                         "borrowed_at": fmt_time(loan["borrowed_us"]),
                         "returned_at": (fmt_time(loan["returned_us"])
                                         if loan["returned_us"] is not None else None),
                         "overdue": overdue(loan)})
        users.append({"user_id": user, "loans": rows})
    all_loans = [l for ls in loans_by_user.values() for l in ls]
    counts = {k: 0 for k in ANOMALY_TYPES}
    for a in anomalies:
        counts[a["type"]] += 1
    summary = {
        "at": at_text,
        "known_at": known_text,
        "events": len(applied),
        "titles_active": sum(1 for b in books.values() if b["status"] == "active"),
        "copies_total": sum(b["total"] for b in books.values() if b["status"] == "active"),
        "copies_on_loan": sum(b["on_loan"] for b in books.values()),
        "open_loans": sum(1 for l in all_loans if l["returned_us"] is None),
        "overdue_loans": sum(1 for l in all_loans if overdue(l)),
        "anomalies": dict(sorted(counts.items())),
        "log_head": log_head,
    }
    return {
        "summary": summary,
        "inventory": {"at": at_text, "known_at": known_text, "books": inventory_rows},
        "loans": {"at": at_text, "known_at": known_text, "users": users},
        "anomalies": {"at": at_text, "known_at": known_text, "anomalies": anomalies},
    }


# --------------------------------------------------------------------------
# Comparison with shelflog's reports
# --------------------------------------------------------------------------

class Diff:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, report: str, key: str, field: str, expected, actual) -> None:
        self.lines.append(f"{report}: {key}: {field}: expected {json.dumps(expected, ensure_ascii=False)}, "
                          f"actual {json.dumps(actual, ensure_ascii=False)}")


def compare_obj(diff: Diff, report: str, key: str, exp: dict, act, skip=()) -> None:
    if not isinstance(act, dict):
        diff.add(report, key, "(row)", exp, act)
        return
    if [k for k in act] != [k for k in exp]:
        diff.add(report, key, "(key order)", list(exp), list(act))
    for field in exp:
        if field in skip:
            continue
        if field not in act:
            diff.add(report, key, field, exp[field], "(missing)")
        elif type(exp[field]) is not type(act[field]) or exp[field] != act[field]:
            diff.add(report, key, field, exp[field], act[field])


def compare_rows(diff: Diff, report: str, exp_rows: list, act_rows, keyf, keyname: str,
                 skip=(), nested=None) -> None:
    if not isinstance(act_rows, list):
        diff.add(report, "-", "(list)", "a list", act_rows)
        return
    exp_keys = [keyf(r) for r in exp_rows]
    act_keys = [keyf(r) if isinstance(r, dict) else repr(r) for r in act_rows]
    exp_map = dict(zip(exp_keys, exp_rows))
    act_map = dict(zip(act_keys, act_rows))
    for k in exp_keys:
        if k not in act_map:
            diff.add(report, f"{keyname}={k}", "(row)", "present", "missing")
    for k in act_keys:
        if k not in exp_map:
            diff.add(report, f"{keyname}={k}", "(row)", "absent", "present")
    if len(set(act_keys)) != len(act_keys):
        diff.add(report, "-", "(duplicate rows)", len(set(act_keys)), len(act_keys))
    common_exp = [k for k in exp_keys if k in act_map]
    common_act = [k for k in act_keys if k in exp_map]
    if common_exp != common_act:
        first = next(i for i, (a, b) in enumerate(zip(common_exp, common_act)) if a != b)
        diff.add(report, "-", f"(order, first difference at row {first})",
                 common_exp[first], common_act[first])
    for k in common_exp:
        e, a = exp_map[k], act_map[k]
        if nested:
            nested(diff, k, e, a)
        else:
            compare_obj(diff, report, f"{keyname}={k}", e, a, skip)


def keyed_loans(rows) -> list:
    """Key loans by borrowed_at/isbn, numbered when one user borrows an ISBN
    twice in one instant."""
    seen: dict[str, int] = {}
    out = []
    for r in rows if isinstance(rows, list) else []:
        if not isinstance(r, dict):
            r = {"_bad": r}
        k = f"{r.get('borrowed_at')}/{r.get('isbn')}"
        seen[k] = seen.get(k, 0) + 1
        out.append({**r, "_k": f"{k}#{seen[k]}" if seen[k] > 1 else k})
    return out


def compare_reports(expected: dict, actual_dir: pathlib.Path) -> list[str]:
    diff = Diff()
    actual = {}
    for name in ("summary", "inventory", "loans", "anomalies"):
        path = actual_dir / f"{name}.json"
        if not path.is_file():
            diff.add(name, "-", "(file)", str(path), "missing")
            continue
        actual[name] = json.loads(path.read_text(encoding="utf-8"))

    if "summary" in actual:
        exp, act = expected["summary"], actual["summary"]
        compare_obj(diff, "summary", "-", exp, act, skip=("anomalies",))
        if isinstance(act.get("anomalies"), dict):
            compare_obj(diff, "summary", "anomalies", exp["anomalies"], act["anomalies"])
        else:
            diff.add("summary", "-", "anomalies", exp["anomalies"], act.get("anomalies"))

    for name, listkey in (("inventory", "books"), ("loans", "users"), ("anomalies", "anomalies")):
        if name not in actual:
            continue
        exp, act = expected[name], actual[name]
        head = {k: v for k, v in exp.items() if k != listkey}
        ahead = {k: v for k, v in act.items() if k != listkey}
        compare_obj(diff, name, "-", {**head, listkey: None}, {**ahead, listkey: None})
        rows = act.get(listkey)
        if name == "inventory":
            compare_rows(diff, name, exp[listkey], rows, lambda r: r.get("isbn"), "isbn")
        elif name == "anomalies":
            compare_rows(diff, name, exp[listkey], rows,
                         lambda r: f"{r.get('position')}/{r.get('type')}", "position/type",
                         skip=("detail",))
        else:
            def user_rows(diff: Diff, uid, e, a):
                compare_obj(diff, "loans", f"user_id={uid}", {**e, "loans": None},
                            {**a, "loans": None} if isinstance(a, dict) else a)
                if isinstance(a, dict):
                    compare_rows(diff, "loans", keyed_loans(e["loans"]),
                                 keyed_loans(a.get("loans")), lambda r: r["_k"],
                                 f"user_id={uid} loan", skip=("_k",))
            compare_rows(diff, name, exp[listkey], rows, lambda r: r.get("user_id"), "user_id",
                         nested=user_rows)
    return diff.lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description="Reference replay of a shelflog event log (docs/reports.md and docs/reports.md).")
    ap.add_argument("--jsonl", required=True,
                    help="output of `shelflog log --format jsonl` (a file, or - for stdin)")
    ap.add_argument("--at", required=True, help="business time T (RFC 3339 or YYYY-MM-DD)")
    ap.add_argument("--known-at", help="only events recorded by K (RFC 3339 or YYYY-MM-DD)")
    ap.add_argument("--loan-days", type=int, default=21)
    ap.add_argument("--max-loans", type=int, default=5)
    ap.add_argument("--out", help="write summary/inventory/loans/anomalies.json here")
    ap.add_argument("--compare", metavar="DIR",
                    help="compare with shelflog's JSON reports in DIR; exit 1 on any difference")
    try:
        args = ap.parse_args(argv)
    except SystemExit as e:
        return 64 if e.code else 0
    try:
        at_us = parse_time(args.at, allow_date=True)
        known_us = parse_time(args.known_at, allow_date=True) if args.known_at else None
    except ValueError as e:
        print(f"reference_replay: {e}", file=sys.stderr)
        return 64
    events = load_events(args.jsonl)
    reports = replay(events, at_us, known_us, args.loan_days, args.max_loans)

    if args.out:
        out = pathlib.Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        for name, data in reports.items():
            (out / f"{name}.json").write_text(
                json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    if args.compare:
        cdir = pathlib.Path(args.compare)
        if not cdir.is_dir():
            print(f"reference_replay: {cdir}: no such folder", file=sys.stderr)
            return 66
        lines = compare_reports(reports, cdir)
        for line in lines:
            print(line)
        label = f"--at {args.at}" + (f" --known-at {args.known_at}" if args.known_at else "")
        if lines:
            print(f"{cdir} ({label}): {len(lines)} difference(s)")
            return 1
        print(f"{cdir} ({label}): summary, inventory, loans, anomalies agree "
              f"({reports['summary']['events']} events)")
        return 0
    if not args.out:
        json.dump(reports, sys.stdout, ensure_ascii=False, indent=2)
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
