#!/bin/bash
# SPDX-License-Identifier: MIT
# container/overlay and container/copyup: a first lookup through the
# overlay costs more with more lower layers (the derived slope is positive
# for stat, open and readdir, and 64 layers cost more than 1), and more
# than on the plain file system; copy-up of a 64 MiB file costs more than
# of a 4 KiB one; the scratch directory is gone afterwards. As root, or in
# a user+mnt namespace where the kernel allows (5.11+).
set -u
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# In the background for its pid: scratch directories are named after the
# kerf that made them, and other tests make their own at the same time.
"$KERF" run container/overlay container/copyup -p op=stat,open,readdir \
	-p layers=1,64 -p size=4K,64M --quick --samples 5 --out "$out" \
	>"$out/stdout" 2>&1 &
pid=$!
wait "$pid"
rc=$?
cat "$out/stdout"
[ "$rc" -eq 0 ] || { echo "FAIL kerf run exited $rc"; exit 1; }
left=$(find "${TMPDIR:-/tmp}" -maxdepth 1 \( -name "kerf-$pid-ct*-ov" -o \
	-name "kerf-$pid-ct*-cu" \) | wc -l)
python3 - "$out/run.json" "$left" <<'PY'
import json, sys
run = json.load(open(sys.argv[1]))
med = {}
for r in run["results"]:
    p = r["params"]
    if r["status"] == "skip":
        print(f"skip: {r['bench']} {p}: {r.get('reason')}"); sys.exit(77)
    assert r["status"] == "ok", r
    key = (r["bench"], p.get("op"), p["on"], p.get("layers") or p.get("size"))
    med[key] = r["stats"]["median"]
fail = 0
ov = "container/overlay"
for op in ("stat", "open", "readdir"):
    fit = run["derived"][f"{ov}:layers{{on=overlay,op={op}}}"]
    one, many = med[(ov, op, "overlay", "1")], med[(ov, op, "overlay", "64")]
    plain = med[(ov, op, "plain", "64")]
    print(f"{op}: 1 layer {one:.4g}, 64 layers {many:.4g}, plain {plain:.4g} ns/op, slope {fit['slope']:.4g} {fit['unit']}")
    if not fit["slope"] > 0 or not many > one:
        print(f"FAIL {op}: lookup cost does not grow with layers"); fail = 1
    if not many > plain:
        print(f"FAIL {op}: 64 layers {many:.4g} not above plain {plain:.4g}"); fail = 1
cu = "container/copyup"
small, big = med[(cu, None, "overlay", "4K")], med[(cu, None, "overlay", "64M")]
print(f"copy-up: 4K {small:.4g} ns, 64M {big:.4g} ns")
if not big > small:
    print("FAIL copy-up of 64M not above 4K"); fail = 1
if sys.argv[2] != "0":
    print(f"FAIL {sys.argv[2]} scratch directories left"); fail = 1
sys.exit(fail)
PY
