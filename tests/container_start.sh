#!/bin/bash
# SPDX-License-Identifier: MIT
# container/start runs /bin/true in a fresh container, and its parts
# (cgroup, clone, overlay, pivot_root, proc, exec_exit: means over the
# samples, so that they stack) add up to within 10% of the mean total (the
# median is printed beside it); no scratch directory or cgroup is left.
set -u
[ "$(id -u)" -eq 0 ] || { echo "skip: needs root"; exit 77; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# In the background for its pid: scratch directories and cgroups are named
# after the kerf that made them, and other tests make their own meanwhile.
"$KERF" run container/start --quick --procs 1 --samples 41 --out "$out" \
	>"$out/stdout" 2>&1 &
pid=$!
wait "$pid"
rc=$?
cat "$out/stdout"
[ "$rc" -eq 0 ] || { echo "FAIL kerf run exited $rc"; exit 1; }
left=$(find "${TMPDIR:-/tmp}" -maxdepth 1 -name "kerf-$pid-ct*-st" | wc -l)
cgs=$(find /sys/fs/cgroup -maxdepth 4 -type d -name "kerf-$pid-c*" | wc -l)
python3 - "$out/run.json" "$left" "$cgs" <<'PY'
import json, sys
parts = ("cgroup", "clone", "overlay", "pivot_root", "proc", "exec_exit")
ok = fail = 0
for r in json.load(open(sys.argv[1]))["results"]:
    if r["status"] == "skip":
        print(f"skip {r['params']}: {r.get('reason')}")
        continue
    assert r["status"] == "ok", r
    m = r["metrics"]
    total, med = r["stats"]["mean"], r["stats"]["median"]
    got = [m[k]["value"] for k in parts]
    s = sum(got)
    print(f"{r['params']}: n {len(r['samples'])}, total mean {total/1e6:.3f} ms (median {med/1e6:.3f}), parts " +
          " ".join(f"{k} {v/1e6:.3f}" for k, v in zip(parts, got)) +
          f", sum {s/1e6:.3f} ms ({100*(s-total)/total:+.1f}%)")
    if min(got) <= 0:
        print("FAIL a part is not positive"); fail = 1
    if abs(s - total) > 0.10 * total:
        print("FAIL the parts do not add up to within 10% of the total"); fail = 1
    ok += 1
if sys.argv[2] != "0" or sys.argv[3] != "0":
    print(f"FAIL left: {sys.argv[2]} scratch dirs, {sys.argv[3]} cgroups"); fail = 1
sys.exit(fail if ok else 77)
PY
rc=$?
[ $rc -eq 0 ] || exit $rc
# The report stacks the parts into one bar per result, text inside its canvas.
"$KERF" report "$out" -o "$out/rep" >/dev/null 2>&1 || { echo "FAIL: report"; exit 1; }
[ -s "$out/rep/plots/container-parts.svg" ] || { echo "FAIL: no stacked bar of the parts"; exit 1; }
grep -q 'rowstacked' "$out/rep/plots/container-parts.gp" || { echo "FAIL: the bar is not stacked"; exit 1; }
python3 "$KERF_TESTS/svg_text.py" "$out/rep" || exit 1
echo "ok: the report stacks the parts"
