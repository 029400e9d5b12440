#!/bin/bash
# SPDX-License-Identifier: MIT
# SIGINT in a later round of kerf run --rounds: exit 130, run.json marked
# interrupted, and every result kept consistent: its samples are those of
# the rounds it finished (no half round), its statistics are theirs.
set -u
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$KERF" run calib/spin -p work=100,200,300,400 --rounds 100 --procs 2 \
	--samples 3 --quick --out "$out/r" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 1 1200); do
	n=$(python3 -c 'import json,sys
try: print(len(json.load(open(sys.argv[1]))["config"]["round_order"]))
except Exception: print(0)' "$out/r/run.json" 2>/dev/null)
	[ "${n:-0}" -ge 3 ] && break
	sleep 0.05
done
kill -INT $pid
wait $pid
rc=$?
[ $rc = 130 ] || { echo "FAIL: exit $rc, want 130"; exit 1; }
python3 - "$out/r/run.json" <<'PY'
import json, math, statistics, sys
run = json.load(open(sys.argv[1]))
assert run.get("interrupted") is True and run["finished"] is None
assert len(run["results"]) == 4, len(run["results"])
for r in run["results"]:
    s, sr, sp = r["samples"], r["sample_rounds"], r["sample_procs"]
    assert len(s) == len(sr) == len(sp) == r["stats"]["n"], (len(s), r["stats"]["n"])
    # kerf's median of an even count may differ from Python's in the last
    # bit ((a+b)/2 against a+(b-a)/2): 18 samples differed by 1 ulp once
    assert math.isclose(statistics.median(s), r["stats"]["median"],
                        rel_tol=1e-12), (statistics.median(s), r["stats"]["median"])
    done = [k for k, m in enumerate(r["round_medians"]) if m is not None]
    assert sorted(set(sr)) == done, (sorted(set(sr)), done)
    for k in done:  # each finished round has both its processes
        assert len({p for p, q in zip(sp, sr) if q == k}) == 2, (k, sp, sr)
print("PASS")
PY
