#!/usr/bin/env bash
# Runs two loubao binaries on the same counties and says whether their outputs agree.
#   scripts/compare-runs.sh OLD_BINARY NEW_BINARY [PERSONS]
# Counties: sample-data/ with pipelines/sample.toml, and a generated county of PERSONS
# residents (default 6000, seed 11, written by OLD_BINARY). Compared byte for byte: every
# township CSV, 待复核.csv and rejects.csv; then `loubao eval` of each run, side by side.
# Exit 0 when everything agrees, 1 otherwise. Work happens in a temporary folder.
set -euo pipefail
old=$(realpath "$1"); new=$(realpath "$2"); persons=${3:-6000}
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
"$old" -q sample "$work/county" --persons "$persons" --seed 11 >/dev/null
status=0
for which in old new; do
  bin=${!which}
  mkdir -p "$work/$which/pipelines"
  cp -r "$repo/sample-data" "$work/$which/sample-data"
  cp "$repo/pipelines/sample.toml" "$work/$which/pipelines/"
  cp -r "$work/county" "$work/$which/county"
  "$bin" -q run "$work/$which/pipelines/sample.toml" >/dev/null || [ $? -eq 3 ]
  "$bin" -q run "$work/$which/county/pipeline.toml" >/dev/null || [ $? -eq 3 ]
  "$bin" -q eval "$work/$which/county/pipeline.toml" "$work/$which/county/truth" \
    >"$work/$which.eval" 2>&1 || true
done
for out in out county/outbox; do
  a=$(find "$work/old/$out" -name '*.csv' | sed "s|$work/old/||" | sort)
  b=$(find "$work/new/$out" -name '*.csv' | sed "s|$work/new/||" | sort)
  if [ "$a" != "$b" ]; then echo "different CSV files under $out"; diff <(echo "$a") <(echo "$b") || true; status=1; fi
  for f in $a; do
    [ -f "$work/new/$f" ] || continue
    if ! cmp -s "$work/old/$f" "$work/new/$f"; then echo "differs: $f"; status=1; fi
  done
  echo "$out: $(echo "$a" | wc -l) CSV files compared"
done
if ! diff <(sed "s|$work/old|RUN|" "$work/old.eval") <(sed "s|$work/new|RUN|" "$work/new.eval"); then echo "eval differs"; status=1; fi
cat "$work/new.eval"
[ $status -eq 0 ] && echo "SAME: outputs byte-identical, eval identical" || echo "DIFFERENT"
exit $status
