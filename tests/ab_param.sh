#!/bin/bash
# SPDX-License-Identifier: MIT
# kerf ab --a-param/--b-param: the arms' results pair by key with the
# switched parameter in config.arm, every round measures both arms, and a
# planted 3x change (calib/spin work=1000 vs 3000) is a regression (exit 1).
# The layout is checked on $KERF (the sanitized build under test); the
# verdict on $KERF_TIMING (no sanitizer), 20 rounds, asserted where the
# gate itself says a 2x change was detectable (its paired SD of the log
# round differences: detectable_pct under 100); else skip with the figure.
set -u
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$KERF" ab calib/spin --a-param work=1000 --b-param work=3000 --rounds 8 \
	--quick --seed 3 --out "$out/layout" >"$out/log" 2>&1
rc=$?
[ $rc = 0 ] || [ $rc = 1 ] || {
	cat "$out/log"
	echo "FAIL: kerf ab exit $rc, want 0 or 1"
	exit 1
}
"${KERF_TIMING:-$KERF}" ab calib/spin --a-param work=1000 --b-param work=3000 \
	--rounds 20 --quick --seed 3 --out "$out/ab" >>"$out/log" 2>&1
rc=$?
python3 - "$out" $rc <<'PY'
import json, math, sys
top, rc = sys.argv[1], int(sys.argv[2])
def arms(d, rounds):
    a, b = (json.load(open("%s/%s/run.json" % (d, k))) for k in "ab")
    assert a["config"]["arm"] == {"name": "a", "param": "work=1000"}, a["config"]["arm"]
    assert b["config"]["arm"] == {"name": "b", "param": "work=3000"}, b["config"]["arm"]
    for run in (a, b):
        assert run["schema"] == "kerf.run/2" and run["finished"]
        (r,) = run["results"]
        assert r["params"] == {}, r["params"]  # the key pairs a with b
        assert len(r["round_medians"]) == rounds, r["round_medians"]
        assert None not in r["round_medians"]
        assert [len(o) for o in run["config"]["round_order"]] == [1] * rounds
        assert sorted(set(r["sample_rounds"])) == list(range(rounds))
    return a, b
arms(top + "/layout", 8)
a, b = arms(top + "/ab", 20)
cmp = json.load(open(top + "/ab/compare.json"))
# kerf.compare/2: one column (the two arms), its results, paired by round
assert cmp["schema"] == "kerf.compare/2", cmp["schema"]
(p,) = cmp["columns"][0]["results"]
assert p["level"] == "round-paired", p["level"]
# The gate's paired SD: from 20 rounds, Yuen's (the 20% winsorized
# differences of the log round medians, scaled as the trimmed mean's SE).
d = sorted(math.log(y / x) for x, y in zip(a["results"][0]["round_medians"],
                                           b["results"][0]["round_medians"]))
n = len(d)
k = int(0.2 * n) if n >= 20 else 0
h = n - 2 * k
w = [min(max(x, d[k]), d[n - 1 - k]) for x in d]
m = sum(w) / n
sd = math.sqrt(sum((x - m) ** 2 for x in w) / (h * (h - 1))) * math.sqrt(n)
assert abs(sd - p["sd_log"]) < 1e-6 * max(1, sd), (sd, p["sd_log"])
if p["detectable_pct"] >= 100:
    print("SKIP: rounds too noisy to promise 3x: paired SD of log "
          "differences %.2f, detectable change %.0f%%" % (sd, p["detectable_pct"]))
    sys.exit(77)
ratio = b["results"][0]["stats"]["median"] / a["results"][0]["stats"]["median"]
assert 1.5 < ratio < 6, ratio
assert p["verdict"] == "regression", p
assert rc == 1, "exit %d, want 1 (a regression)" % rc
print("PASS ratio %.2f, paired SD %.2f, detectable %.0f%%"
      % (ratio, sd, p["detectable_pct"]))
PY
rc=$?
[ $rc = 0 ] || cat "$out/log"
exit $rc
