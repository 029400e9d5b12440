#!/bin/bash
# SPDX-License-Identifier: MIT
# THP backing is real: a thp chase is (nearly) all huge pages and a 4k one is
# not; first touch of 4k memory takes one fault per page, of thp 1 per 512.
set -u
mode=$(sed -n 's/.*\[\(.*\)\].*/\1/p' /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null)
if [ "$mode" != always ] && [ "$mode" != madvise ]; then
	echo "skip: transparent huge pages are '${mode:-absent}'"
	exit 77
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$KERF" run tlb/chase pagefault/anon --quick --procs 1 -p wss=8M \
	-p pages=4k,thp -p size=16M --out "$out" >"$out/stdout" 2>&1 || {
	cat "$out/stdout"
	exit 1
}
python3 - "$out/run.json" <<'PY'
import json, sys
run = json.load(open(sys.argv[1]))
fails = 0
def metric(r, name):
    return r.get("metrics", {}).get(name, {}).get("value")
for r in run["results"]:
    if r["status"] != "ok":
        print(f"{r['bench']} {r['params']}: {r['status']} {r.get('reason')}")
        fails += 1
        continue
    pages = r["params"]["pages"]
    hf = metric(r, "huge_fraction")
    want = (0.9, 1.0) if pages == "thp" else (0.0, 0.1)
    ok = hf is not None and want[0] <= hf <= want[1]
    line = f"{r['bench']} pages={pages}: huge_fraction {hf}"
    if r["bench"] == "pagefault/anon":
        fpp = metric(r, "faults_per_page")
        fwant = (0.0015, 0.01) if pages == "thp" else (0.9, 1.1)
        ok = ok and fpp is not None and fwant[0] <= fpp <= fwant[1]
        line += f", faults per 4 KiB {fpp}"
    print(("ok   " if ok else "FAIL ") + line)
    fails += not ok
sys.exit(1 if fails else 0)
PY
