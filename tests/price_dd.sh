#!/bin/bash
# SPDX-License-Identifier: MIT
# kerf price of dd's strace -c -f profile (bs=4k from /dev/zero to /dev/null,
# read and write priced with call/read and call/write on=dev) comes within a
# factor of 2 of dd's system CPU time measured without strace (wait4's
# rusage, the median of 3 runs). docs/price.md has the tighter table.
set -u
command -v strace >/dev/null || { echo "SKIP: no strace"; exit 77; }
command -v dd >/dev/null || { echo "SKIP: no dd"; exit 77; }
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
n=150000
strace -c -f -o "$d/dd.strace" dd if=/dev/zero of=/dev/null bs=4k count=$n \
	2>/dev/null || { echo "SKIP: strace cannot trace here"; exit 77; }
"$KERF" run call/read call/write -p on=dev -p size=4K --quick \
	--out "$d/run" >/dev/null 2>"$d/run.err" ||
	{ echo "FAIL: kerf run: $(tail -3 "$d/run.err")"; exit 1; }
"$KERF" price "$d/dd.strace" --run "$d/run" --format json \
	--map 'read=call/read{on=dev}' --map 'write=call/write{on=dev}' \
	>"$d/price.json" 2>"$d/price.err" ||
	{ echo "FAIL: kerf price: $(cat "$d/price.err")"; exit 1; }
python3 - "$d/price.json" $n <<'PY'
import json, os, subprocess, sys
j = json.load(open(sys.argv[1]))
n = int(sys.argv[2])
st = []
for _ in range(3):
    p = subprocess.Popen(["dd", "if=/dev/zero", "of=/dev/null", "bs=4k", f"count={n}"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    st.append(os.wait4(p.pid, 0)[2].ru_stime)
sys_s = sorted(st)[1]
price_s = j["runs"][0]["unit_ns"] / 1e9
lines = {l["call"]: l for l in j["runs"][0]["lines"]}
print(f"dd count={n}: priced {price_s*1e3:.1f} ms, system time {sys_s*1e3:.1f} ms "
      f"(runs {[round(s*1e3, 1) for s in st]}), ratio {price_s/sys_s:.2f}")
if lines["read"]["how"] != "direct" or lines["read"]["count"] < n:
    print("FAIL: read not priced with its", n, "calls"); sys.exit(1)
if sys_s < 0.02:
    print("SKIP: dd's system time is under 20 ms, too coarse to compare"); sys.exit(77)
sys.exit(0 if 0.5 <= price_s / sys_s <= 2.0 else 1)
PY
