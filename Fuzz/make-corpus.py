#!/usr/bin/env python3
"""Builds the seed corpus of the ShelflogFuzz libFuzzer target (see Fuzz/README.md).

Seeds: every fixtures/*/batches/*.csv (cut into slices of at most --max-len bytes, each with its
batch's header, so large nightly batches fit libFuzzer's -max_len) and the `input` of every case
of Tests/Conformance/csv-cases.jsonl. The corpus is written to an ignored folder and never
committed. Same inputs, same files: each seed is named after its SHA-1.
"""

import argparse
import hashlib
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent


def slices(data: bytes, max_len: int):
    """The whole batch when it fits, else its header with runs of whole lines that fit."""
    if len(data) <= max_len:
        yield data
        return
    lines = data.splitlines(keepends=True)
    header, body = lines[0], lines[1:]
    chunk = header
    for line in body:
        if len(chunk) + len(line) > max_len and chunk != header:
            yield chunk
            chunk = header
        chunk += line
    if chunk != header:
        yield chunk


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / ".build-fuzz" / "corpus"))
    parser.add_argument(
        "--conformance",
        default=str(ROOT / "Tests" / "Conformance" / "csv-cases.jsonl"))
    parser.add_argument("--max-len", type=int, default=512)
    args = parser.parse_args()

    seeds = []
    for batch in sorted(ROOT.glob("fixtures/*/batches/*.csv")):
        seeds.extend(slices(batch.read_bytes(), args.max_len))
    conformance = pathlib.Path(args.conformance)
    if conformance.exists():
        for line in conformance.read_text(encoding="utf-8").splitlines():
            if line.strip():
                seeds.append(json.loads(line)["input"].encode("utf-8"))
    else:
        print(f"warning: {conformance} not found; seeding from fixtures only", file=sys.stderr)

    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    written = 0
    for seed in seeds:
        path = out / hashlib.sha1(seed).hexdigest()
        if not path.exists():
            path.write_bytes(seed)
            written += 1
    print(f"{out}: {len(seeds)} seeds, {written} new files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
