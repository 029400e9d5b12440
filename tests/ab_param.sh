#!/bin/bash
# SPDX-License-Identifier: MIT
# kerf ab --a-param/--b-param: the arms' results pair by key with the
# switched parameter in config.arm, every round measures both arms, and a
# planted 3x change (calib/spin work=1000 vs 3000) is a regression (exit 1).
# The verdict is asserted only where the rounds agree well enough to see 3x
# (between-round SD of log medians under 0.3 in both arms); else skip.
set -u
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$KERF" ab calib/spin --a-param work=1000 --b-param work=3000 --rounds 8 \
	--quick --seed 3 --out "$out/ab" >"$out/log" 2>&1
rc=$?
python3 - "$out/ab" $rc <<'PY'
import json, sys
d, rc = sys.argv[1], int(sys.argv[2])
a, b = (json.load(open("%s/%s/run.json" % (d, k))) for k in "ab")
assert a["config"]["arm"] == {"name": "a", "param": "work=1000"}, a["config"]["arm"]
assert b["config"]["arm"] == {"name": "b", "param": "work=3000"}, b["config"]["arm"]
for run in (a, b):
    assert run["schema"] == "kerf.run/2" and run["finished"]
    (r,) = run["results"]
    assert r["params"] == {}, r["params"]  # the key pairs a with b
    assert len(r["round_medians"]) == 8 and None not in r["round_medians"]
    assert [len(o) for o in run["config"]["round_order"]] == [1] * 8
    assert sorted(set(r["sample_rounds"])) == list(range(8))
sd = max(run["results"][0]["stats"]["round_sd_log"] for run in (a, b))
if sd > 0.3:
    print("SKIP: rounds too noisy to see 3x: SD of log round medians %.2f" % sd)
    sys.exit(77)
ratio = b["results"][0]["stats"]["median"] / a["results"][0]["stats"]["median"]
assert 1.5 < ratio < 6, ratio
cmp = json.load(open(d + "/compare.json"))
# kerf.compare/2: one column (the two arms), its results, paired by round
assert cmp["schema"] == "kerf.compare/2", cmp["schema"]
(p,) = cmp["columns"][0]["results"]
assert p["level"] == "round-paired", p["level"]
assert p["verdict"] == "regression", p
assert rc == 1, "exit %d, want 1 (a regression)" % rc
print("PASS ratio %.2f, SD %.2f" % (ratio, sd))
PY
rc=$?
[ $rc = 0 ] || cat "$out/log"
exit $rc
