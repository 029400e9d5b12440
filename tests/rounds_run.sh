#!/bin/bash
# SPDX-License-Identifier: MIT
# kerf run --rounds: every sample carries its round, round medians and their
# spread are right, process numbers stay unique, each round has its own
# random order (reproducible from --seed), the profile's processes are split
# over the rounds; without --rounds a run is one round in plan order.
set -u
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
run() { "$KERF" run calib/spin -p work=100,200,300,400,500,600 --quick \
	--samples 3 --seed 42 "$@" >/dev/null 2>&1; }
run --rounds 3 --out "$out/r3" || { echo "FAIL: run --rounds 3"; exit 1; }
run --rounds 3 --out "$out/again" || { echo "FAIL: second run"; exit 1; }
run --out "$out/r1" || { echo "FAIL: run without --rounds"; exit 1; }
python3 - "$out" <<'PY'
import json, math, statistics, sys
d = sys.argv[1]
run = json.load(open(d + "/r3/run.json"))
cfg = run["config"]
assert run["schema"] == "kerf.run/2", run["schema"]
assert cfg["rounds"] == 3 and cfg["procs"] == 1, (cfg["rounds"], cfg["procs"])
ro = cfg["round_order"]
keys = sorted("calib/spin{work=%d}" % w for w in range(100, 700, 100))
assert len(ro) == 3 and all(sorted(r) == keys for r in ro), ro
assert len({tuple(r) for r in ro}) > 1, "every round in the same order"
assert ro == json.load(open(d + "/again/run.json"))["config"]["round_order"], \
    "the order does not follow --seed"
for r in run["results"]:
    s, sr, sp = r["samples"], r["sample_rounds"], r["sample_procs"]
    assert r["status"] == "ok" and len(sr) == len(s) == len(sp), r["bench"]
    assert sorted(set(sr)) == [0, 1, 2], sr
    # round r's processes are numbered after round r-1's
    for a in range(3):
        for b in range(a + 1, 3):
            pa = {p for p, q in zip(sp, sr) if q == a}
            pb = {p for p, q in zip(sp, sr) if q == b}
            assert max(pa) < min(pb), (sp, sr)
    med = [statistics.median([x for x, q in zip(s, sr) if q == k])
           for k in range(3)]
    assert len(r["round_medians"]) == 3
    assert all(math.isclose(a, b, rel_tol=1e-12)
               for a, b in zip(med, r["round_medians"])), (med, r["round_medians"])
    sd = statistics.stdev([math.log(m) for m in med])
    assert math.isclose(r["stats"]["round_sd_log"], sd, rel_tol=1e-9)
    assert r["stats"]["n"] == len(s)
one = json.load(open(d + "/r1/run.json"))
assert one["config"]["rounds"] == 1 and one["config"]["procs"] == 3
assert "round_order" not in one["config"]
assert [r["params"]["work"] for r in one["results"]] == \
    [str(w) for w in range(100, 700, 100)], "one round keeps the plan's order"
for r in one["results"]:
    assert set(r["sample_rounds"]) == {0} and len(r["round_medians"]) == 1
    assert "round_sd_log" not in r["stats"]
print("PASS")
PY
