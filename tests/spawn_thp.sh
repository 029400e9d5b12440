#!/bin/bash
# SPDX-License-Identifier: MIT
# spawn/fork reports how much of rss is huge: near 1 with pages=thp (THP in
# madvise or always mode), 0 with pages=4k (MADV_NOHUGEPAGE).
set -u
thp=/sys/kernel/mm/transparent_hugepage/enabled
if [ ! -r $thp ] || grep -q '\[never\]' $thp; then
	echo "skip: transparent huge pages unavailable ($thp)"
	exit 77
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$KERF" run spawn/fork -p rss=64M -p pages=4k,thp --quick --procs 1 \
	--samples 2 --out "$out" >"$out/stdout" 2>&1
rc=$?
python3 - "$out/run.json" "$rc" <<'PY'
import json, sys
run = json.load(open(sys.argv[1]))
fail = 0
seen = set()
for r in run["results"]:
    pages = r["params"]["pages"]
    if r["status"] != "ok":
        print(f"FAIL pages={pages}: {r['status']} {r.get('reason')}"); fail = 1
        continue
    m = r.get("metrics", {}).get("huge_fraction")
    if m is None:
        print(f"FAIL pages={pages}: no huge_fraction metric"); fail = 1
        continue
    f = m["value"]
    print(f"pages={pages}: huge_fraction {f:.3f}")
    seen.add(pages)
    if pages == "thp" and f < 0.5:
        print("FAIL thp: less than half of rss is huge"); fail = 1
    if pages == "4k" and f != 0:
        print("FAIL 4k: huge pages despite MADV_NOHUGEPAGE"); fail = 1
if seen != {"4k", "thp"} or int(sys.argv[2]) != 0:
    print(f"FAIL results for {sorted(seen)}, kerf exit {sys.argv[2]}"); fail = 1
sys.exit(fail)
PY
