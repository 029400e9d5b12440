#!/bin/bash
# SPDX-License-Identifier: MIT
# Orderings the kernel guarantees, measured on a release kerf ($KERF_TIMING):
# fork() of a 1 GiB parent copies 262144 page table entries, so it costs more
# than 3x fork() of an empty one and 3x vfork() of the same parent (measured
# 16-40x here); a child holding 1 GiB takes longer to die than an empty one
# (it frees 262144 pages: over 3x); the fork slope per GiB lands in run.json.
set -u
avail=$(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo)
if [ "$avail" -lt $((3 * 1024 * 1024)) ]; then
	echo "skip: needs 3 GiB available, have ${avail} kB"
	exit 77
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "kerf: ${KERF_TIMING:=$KERF}; load: $(cut -d' ' -f1-3 /proc/loadavg)"
"$KERF_TIMING" run spawn/fork spawn/vfork spawn/exit -p rss=0,1G -p pages=4k \
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
def more(what, big, small, factor):
    global fail
    ok = big > factor * small
    print(f"{'ok  ' if ok else 'FAIL'} {what}: {big:.4g} / {small:.4g} = "
          f"{big / small:.1f}, want > {factor}")
    fail |= not ok
more("fork 1G over fork 0", med[("spawn/fork", "1G")], med[("spawn/fork", "0")], 3)
more("fork 1G over vfork 1G", med[("spawn/fork", "1G")], med[("spawn/vfork", "1G")], 3)
more("exit 1G over exit 0", med[("spawn/exit", "1G")], med[("spawn/exit", "0")], 3)
fit = run.get("derived", {}).get("spawn/fork:rss{pages=4k}")
if not fit or not fit["slope"] > 0:
    print(f"FAIL no positive fork slope in derived: {fit}"); fail = 1
else:
    print(f"fork slope {fit['slope'] / 1e3:.1f} us/GiB, intercept {fit['intercept'] / 1e3:.1f} us")
sys.exit(fail)
PY
