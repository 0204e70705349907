#!/usr/bin/env bash
# Times whole runs of several loubao binaries on one county, alternating, and prints medians.
#   scripts/ab-runs.sh RUNS PIPELINE BINARY...
# e.g. scripts/ab-runs.sh 3 "$CARGO_TARGET_DIR/bench-county-600000/pipeline.toml" /tmp/old target/release/loubao
# Wall, user, sys and peak RSS come from GNU time (/usr/bin/time); outputs go to the
# pipeline's outbox as a normal run's would.
set -euo pipefail
runs=$1; pipeline=$2; shift 2
raw=$(mktemp); trap 'rm -f "$raw"' EXIT
for _ in $(seq "$runs"); do
  for bin in "$@"; do
    /usr/bin/time -a -o "$raw" -f "$bin %e %U %S %M" "$bin" -q run "$pipeline" >/dev/null || [ $? -eq 3 ]
  done
done
python3 - "$raw" "$@" <<'PY'
import statistics as st, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
for b in sys.argv[2:]:
    r = [x for x in rows if x[0] == b]
    wall, user, sys_ = (st.median(float(x[i]) for x in r) for i in (1, 2, 3))
    rss = st.median(int(x[4]) for x in r) / 1048576
    print(f"{b}: {len(r)} runs, median wall {wall:.2f} s (min {min(float(x[1]) for x in r):.2f}), "
          f"user {user:.2f} s, sys {sys_:.2f} s, cpu/wall {(user + sys_) / wall:.2f}, peak {rss:.2f} GiB")
PY
