#!/bin/bash
# Byte-identity of reports and `log --format jsonl` between a previous release (OLD) and this
# build (NEW): every fixture (batches imported with their recorded_at lines), and a generated
# batch imported (a) by NEW and (b) by OLD, then upgraded by NEW (`shelflog snapshot`).
# Usage: OLD=path/to/old/shelflog SMALL=batch.csv Scripts/compare-release.sh
set -u
OLD=${OLD:?set OLD to the previous release binary}
NEW=${NEW:-$(cd "$(dirname "$0")/.." && pwd)/.build/release/shelflog}
W=${W:-$(mktemp -d)}
rm -rf "$W"; mkdir -p "$W"
fail=0
for case in "$(cd "$(dirname "$0")/.." && pwd)"/fixtures/*/; do
  name=$(basename "$case"); [ -d "$case/batches" ] || continue
  for v in OLD NEW; do
    bin=${!v}; db="$W/$name-$v.sqlite"; i=0
    for f in "$case"/batches/*.csv; do
      i=$((i+1)); rec=$(sed -n "${i}p" "$case/recorded_at" 2>/dev/null)
      [ -n "$rec" ] || rec=$(date -u -d "2000-01-01 00:00:00 + $((i-1)) seconds" +%Y-%m-%dT%H:%M:%SZ)
      "$bin" import "$f" --db "$db" --recorded-at "$rec" --allow-partial > /dev/null 2>&1
    done
    "$bin" log --db "$db" --format jsonl > "$W/$name-$v.jsonl"
    "$bin" replay --db "$db" --at 2099-01-01 --out "$W/$name-$v-r" --format json,csv,md > /dev/null
    rm -f "$W/$name-$v-r/manifest.json"
  done
  if cmp -s "$W/$name-OLD.jsonl" "$W/$name-NEW.jsonl" && diff -r -q "$W/$name-OLD-r" "$W/$name-NEW-r" > /dev/null; then
    echo "fixture $name: identical ($(wc -l < "$W/$name-NEW.jsonl") events)"
  else echo "fixture $name: DIFFERENT"; fail=1; fi
done
SMALL=${SMALL:?set SMALL to a generated batch, e.g. shelflog generate --rows 1000000 --seed 1}
for v in OLD NEW; do
  bin=${!v}; "$bin" import "$SMALL" --db "$W/m1-$v.sqlite" --recorded-at 2031-01-01T00:00:00Z > /dev/null
done
cp "$W/m1-OLD.sqlite" "$W/m1-MIG.sqlite"; "$NEW" snapshot --db "$W/m1-MIG.sqlite" > /dev/null
"$OLD" log --db "$W/m1-OLD.sqlite" --format jsonl | sha256sum > "$W/m1-OLD.jsonl.sha"
"$OLD" replay --db "$W/m1-OLD.sqlite" --at 2031-01-01 --out "$W/m1-OLD-r" --format json,csv,md > /dev/null
for v in NEW MIG; do
  "$NEW" log --db "$W/m1-$v.sqlite" --format jsonl | sha256sum > "$W/m1-$v.jsonl.sha"
  "$NEW" replay --db "$W/m1-$v.sqlite" --at 2031-01-01 --out "$W/m1-$v-r" --format json,csv,md > /dev/null
  rm -f "$W/m1-$v-r/manifest.json"
done
rm -f "$W/m1-OLD-r/manifest.json"
for v in NEW MIG; do
  if cmp -s "$W/m1-OLD.jsonl.sha" "$W/m1-$v.jsonl.sha" && diff -r -q "$W/m1-OLD-r" "$W/m1-$v-r" > /dev/null; then
    echo "generated log ($v): jsonl and reports identical to OLD (jsonl sha256 $(cut -c1-16 "$W/m1-$v.jsonl.sha"))"
  else echo "generated log ($v): DIFFERENT"; fail=1; fi
done
for v in OLD MIG NEW; do
  bin=$NEW; [ $v = OLD ] && bin=$OLD
  echo "$v verify: $("$bin" verify --db "$W/m1-$v.sqlite")"
done
exit $fail
