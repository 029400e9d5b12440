#!/bin/bash
# SPDX-License-Identifier: MIT
# kerf's BMF export of two runs against Bencher's documented BMF JSON schema
# (bencher.dev/docs/reference/bencher-metric-format) and its limits (measure
# slug at most 64 characters, benchmark name at most 1024): times are
# latency in ns, rates throughput, every other measure names its unit.
set -u
py=/usr/bin/python3
$py -c 'import jsonschema' 2>/dev/null ||
	{ echo "skip: needs python3-jsonschema"; exit 77; }
g=$KERF_TESTS/golden/export
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$KERF" export "$g/run.json" --format bmf -o "$work/base.json" || exit 1
"$KERF" export "$g/new.json" --format bmf -o "$work/new.json" || exit 1
$py - "$g/run.json" "$work/base.json" "$work/new.json" <<'PY'
import json, sys, jsonschema
SCHEMA = {  # Bencher's BMF JSON schema, as documented
    "$schema": "http://json-schema.org/draft-07/schema", "type": "object",
    "patternProperties": {".+": {"type": "object", "patternProperties": {
        ".+": {"type": "object", "properties": {
            "value": {"type": "number"}, "lower_value": {"type": "number"},
            "upper_value": {"type": "number"}}, "required": ["value"]}}}}}
run = json.load(open(sys.argv[1]))
units = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}
fail = 0
def bad(m):
    global fail
    print("FAIL:", m); fail = 1
docs = [json.load(open(p)) for p in sys.argv[2:]]
for doc in docs:
    jsonschema.validate(doc, SCHEMA)
    for name, ms in doc.items():
        if len(name) > 1024: bad(f"{name}: name over 1024 characters")
        for m, v in ms.items():
            if len(m) > 64: bad(f"{name}: measure {m} over 64 characters")
            lo, hi = v.get("lower_value"), v.get("upper_value")
            if lo is not None and not lo <= v["value"] <= hi:
                bad(f"{name} {m}: {lo} <= {v['value']} <= {hi} fails")
print("ok: both runs validate against Bencher's BMF schema")
base, new = docs
for r in run["results"]:
    if r["status"] != "ok" or "stats" not in r: continue
    name = "/".join([r["bench"]] + [f"{k}:{r['params'][k]}"
                                    for k in sorted(r["params"])])
    u = r["unit"]
    if u.split("/")[0] in units:
        want = ("latency", r["stats"]["median"] * units[u.split("/")[0]])
    elif u.endswith("/s"):
        want = ("throughput", r["stats"]["median"])
    else:
        continue
    got = base.get(name, {}).get(want[0], {}).get("value")
    if got is None or abs(got - want[1]) > 1e-9 * abs(want[1]):
        bad(f"{name}: {want[0]} {got}, want {want[1]} ({u})")
    for m, mv in r.get("metrics", {}).items():
        # one unit per measure, named: times in ns, % as pct
        f, suffix = units.get(mv["unit"], 1), {"%": "-pct"}.get(mv["unit"])
        key = m.replace("_", "-") + ("-ns" if mv["unit"] in units else suffix)
        got = base.get(name, {}).get(key, {}).get("value")
        if got is None or abs(got - mv["value"] * f) > 1e-9 * abs(got):
            bad(f"{name}: metric {m} ({mv['unit']}) not exported as {key}: {got}")
ev = "evloop/echo/conns:1/server:epoll"
for k in ("throughput", "p99-ns"):
    print(f"  {ev} {k}: {base[ev][k]['value']} -> {new[ev][k]['value']}")
print(f"  syscall/getppid latency: {base['syscall/getppid']['latency']['value']}"
      f" -> {new['syscall/getppid']['latency']['value']} ns")
measures = sorted({m for d in docs for b in d.values() for m in b})
print("  measures:", " ".join(measures))
sys.exit(fail)
PY
