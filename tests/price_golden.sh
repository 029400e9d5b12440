#!/bin/bash
# SPDX-License-Identifier: MIT
# kerf price reads the counts of real strace -c, strace -c -f, perf trace -s
# and CSV profiles (tests/golden/price/, captured from dd and tar), prices
# each call at the median of its result in run.json (interpolated along size
# where the CSV gives bytes), and with a second run whose costs are doubled
# says 2x; every expected figure is recomputed here in Python.
set -u
g="$KERF_TESTS/golden/price"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
python3 - "$g/run.json" "$out/run2.json" <<'PY' || exit 1
import json, sys
r = json.load(open(sys.argv[1]))
for x in r["results"]:
    s = x["stats"]
    s["median"] *= 2
    s["ci95"] = [v * 2 for v in s["ci95"]]
json.dump(r, open(sys.argv[2], "w"))
PY
for f in dd.strace tar.strace-f dd.perf-trace workload.csv; do
	"$KERF" price "$g/$f" --run "$g/run.json" --run "$out/run2.json" \
		--per 10 --format json >"$out/$f.json" 2>"$out/$f.err" || {
		echo "FAIL: kerf price $f exited $?"; cat "$out/$f.err"; exit 1; }
done
"$KERF" price "$g/dd.strace" --run "$g/run.json" --format json \
	--map 'read=call/read{on=file,bytes=6000}' >"$out/map.json" ||
	{ echo "FAIL: kerf price --map"; exit 1; }
python3 - "$g" "$out" <<'PY'
import json, re, sys
g, out = sys.argv[1], sys.argv[2]
run = json.load(open(g + "/run.json"))
units = {"K": 1024, "M": 1 << 20}

def size(v):
    return int(v[:-1]) * units[v[-1]] if v[-1] in units else int(v)

def results(bench, **fixed):
    return [x for x in run["results"] if x["bench"] == bench and
            all(x["params"].get(k) == v for k, v in fixed.items())]

def counts(f):
    """The calls column, read by a second, independent parser."""
    text = open(g + "/" + f).read()
    c = {}
    if f.endswith(".csv"):
        for line in text.splitlines():
            if line and not line.startswith("#") and not line.startswith("syscall,"):
                p = line.split(",")
                c[p[0]] = c.get(p[0], 0) + int(p[1])
        return c
    if "perf" in f:
        rows = re.findall(r"^\s+([a-z0-9_]+)\s+(\d+)\s+\d+\s+[\d.]+", text, re.M)
    else:
        rows = [(m[1], m[0]) for m in re.findall(
            r"^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?([a-z0-9_]+)$", text, re.M)
            if m[1] != "total"]
    for name, n in rows:
        c[name] = c.get(name, 0) + int(n)
    return c

fail = 0
def check(cond, what):
    global fail
    if not cond:
        print("FAIL:", what); fail = 1

for f in ["dd.strace", "tar.strace-f", "dd.perf-trace", "workload.csv"]:
    j = json.load(open(f"{out}/{f}.json"))
    want = counts(f)
    check(j["schema"] == "kerf.price/1", f"{f}: schema")
    check(j["profile"]["calls"] == sum(want.values()), f"{f}: total {j['profile']['calls']} != {sum(want.values())}")
    a, b = j["runs"]
    got = {l["call"]: l["count"] for l in a["lines"]}
    check(got == want, f"{f}: counts differ: {got} vs {want}")
    lines = {l["call"]: l for l in a["lines"]}
    # priced lines sum to the total per unit (per 10)
    tot = sum(l["count"] / 10 * l["ns"] for l in a["lines"] if "ns" in l)
    check(abs(tot - a["unit_ns"]) <= 1e-9 * tot, f"{f}: unit_ns {a['unit_ns']} != {tot}")
    # direct calls at their result's median (smallest size without bytes)
    for call, bench, fx in [("openat", "call/openat", {}), ("close", "call/close", {}),
                            ("futex", "call/futex", {})]:
        if call in lines:
            m = results(bench, **fx)[0]["stats"]["median"]
            check(abs(lines[call]["ns"] - m) < 1e-9 * m, f"{f}: {call} {lines[call]['ns']} != {m}")
    if "read" in lines and f != "workload.csv":
        m = [x for x in results("call/read", on="file") if x["params"]["size"] == "4K"][0]
        check(lines["read"]["ns"] == m["stats"]["median"], f"{f}: read not at 4K")
    # doubled costs: every ratio is 2
    check(abs(j["ratio"]["unit_ns"] - 2) < 1e-9, f"{f}: ratio {j['ratio']['unit_ns']}")
    check(abs(b["unit_ns"] - 2 * a["unit_ns"]) < 1e-6 * a["unit_ns"], f"{f}: run B")
    check(a["unpriced_share"] == sum(want[l["call"]] for l in a["lines"] if l["how"] == "unpriced") / sum(want.values()),
          f"{f}: unpriced share")

# CSV bytes: read 6000 B a call, between the 4K and 64K results (linear).
j = json.load(open(f"{out}/workload.csv.json"))
l = {x["call"]: x for x in j["runs"][0]["lines"]}
pts = sorted((size(x["params"]["size"]), x["stats"]["median"]) for x in results("call/read", on="file"))
(x0, y0), (x1, y1) = pts[0], pts[1]
want = y0 + (y1 - y0) * (6000 - x0) / (x1 - x0)
check(abs(l["read"]["ns"] - want) < 1e-6 * want, f"csv: read at 6000 B {l['read']['ns']} != {want}")
check(l["frobnicate"]["how"] == "unpriced", "csv: frobnicate is priced")
# --map bytes=6000 prices strace's reads (no bytes there) the same way
m = {x["call"]: x for x in json.load(open(f"{out}/map.json"))["runs"][0]["lines"]}
check(abs(m["read"]["ns"] - want) < 1e-6 * want, f"--map bytes: read {m['read']['ns']} != {want}")
sys.exit(fail)
PY
