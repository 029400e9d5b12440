#!/bin/bash
# SPDX-License-Identifier: MIT
# What the host lacks is a skip that says what to change: an empty hugetlb
# pool names the sysctl, a working set over MemAvailable/2 is refused, one
# NUMA node is a skip; counters say whether the hardware ones were there.
set -u
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$KERF" run tlb/chase --quick --procs 1 -p wss=4M,64G -p pages=hugetlb2m,4k \
	--out "$out/a" >"$out/stdout" 2>&1 &&
	"$KERF" run numa/access --quick --procs 1 -p node=local -p wss=4M \
		--out "$out/b" >>"$out/stdout" 2>&1 || {
	cat "$out/stdout"
	exit 1
}
python3 - "$out/a/run.json" "$out/b/run.json" <<'PY'
import json, sys
run = json.load(open(sys.argv[1]))
run["results"] += json.load(open(sys.argv[2]))["results"]
fails = 0
def check(ok, what):
    global fails
    print(("ok   " if ok else "FAIL ") + what)
    fails += not ok
for r in run["results"]:
    p, st, why = r["params"], r["status"], r.get("reason", "")
    if r["bench"] == "numa/access":
        single = "single NUMA node" in why
        check(st == "ok" or (st == "skip" and single),
              f"numa/access {p}: {st} {why}")
        continue
    if p["wss"] == "64G":
        check(st == "skip" and "MemAvailable" in why,
              f"tlb/chase wss=64G pages={p['pages']}: {st} {why}")
    elif p["pages"] == "hugetlb2m":
        if st == "skip":
            check("sysctl vm.nr_hugepages=" in why, f"hugetlb2m skip: {why}")
        else:
            hf = r["metrics"]["huge_fraction"]["value"]
            check(st == "ok" and hf == 1.0, f"hugetlb2m: {st}, huge {hf}")
    else:
        c = r.get("info", {}).get("counters", "")
        check(st == "ok" and (c.startswith("available:") or
                              c.startswith("unavailable:")),
              f"tlb/chase 4k counters: {c}")
sys.exit(1 if fails else 0)
PY
