#!/bin/bash
# SPDX-License-Identifier: MIT
# Orderings the kernel guarantees: fork() of a 1 GiB parent costs more than
# 10x fork() of an empty one and more than vfork() of the same parent; a
# child holding 1 GiB takes longer to die than an empty one; the fork slope
# per GiB lands in run.json's "derived".
set -u
avail=$(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo)
if [ "$avail" -lt $((3 * 1024 * 1024)) ]; then
	echo "skip: needs 3 GiB available, have ${avail} kB"
	exit 77
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$KERF" run spawn/fork spawn/vfork spawn/exit -p rss=0,1G -p pages=4k \
	--quick --procs 2 --samples 3 --out "$out" >"$out/stdout" 2>&1
rc=$?
python3 - "$out/run.json" "$rc" <<'PY'
import json, sys
run = json.load(open(sys.argv[1]))
med = {}
for r in run["results"]:
    key = (r["bench"], r["params"].get("rss"))
    if r["status"] != "ok":
        print(f"{key}: {r['status']} {r.get('reason')}")
        sys.exit(77 if r["status"] == "skip" else 1)
    med[key] = r["stats"]["median"]
    print(f"{key}: median {med[key]:.4g} {r['unit']}")
if int(sys.argv[2]) != 0:
    print(f"kerf run exited {sys.argv[2]}"); sys.exit(1)
fail = 0
f0, f1, v1 = med[("spawn/fork", "0")], med[("spawn/fork", "1G")], med[("spawn/vfork", "1G")]
e0, e1 = med[("spawn/exit", "0")], med[("spawn/exit", "1G")]
if not f1 > 10 * f0:
    print(f"FAIL fork 1G {f1:.4g} is not > 10 x fork 0 {f0:.4g}"); fail = 1
if not f1 > v1:
    print(f"FAIL fork 1G {f1:.4g} is not > vfork 1G {v1:.4g}"); fail = 1
if not e1 > e0:
    print(f"FAIL exit 1G {e1:.4g} is not > exit 0 {e0:.4g}"); fail = 1
fit = run.get("derived", {}).get("spawn/fork:rss{pages=4k}")
if not fit or not fit["slope"] > 0:
    print(f"FAIL no positive fork slope in derived: {fit}"); fail = 1
else:
    print(f"fork slope {fit['slope'] / 1e3:.1f} us/GiB, intercept {fit['intercept'] / 1e3:.1f} us")
sys.exit(fail)
PY
