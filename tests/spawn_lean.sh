#!/bin/bash
# SPDX-License-Identifier: MIT
# spawn/fork at rss=0 forks a process as lean as a bare C program: the
# forking process (kerf-spawner) has no more mappings than tests/fork_loop.c,
# and its time per fork is within 10% of that loop's, run in turns in the
# same minute, on one PU (looser while the machine is busy, and not asserted
# once the load passes the PU count; the ratio is printed).
set -u
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
loop=$KERF_BUILD/tests/fork_loop
[ -x "$loop" ] || { echo "no $loop"; exit 1; }
# Both on the PU kerf runs single-PU benches on (its last allowed one).
pu=$(taskset -cp $$ | sed 's/.*: //; s/.*[,-]//')
for r in 1 2 3 4 5; do
	"$KERF" run spawn/fork -p rss=0 --quick --procs 2 --samples 8 \
		--cpu "$pu" --quiet --out "$out/k$r" >/dev/null 2>&1 ||
		echo "kerf exit $?"
	taskset -c "$pu" "$loop" 16 20 >"$out/b$r" || exit 1
done
python3 - "$out" "$(cut -d' ' -f1 /proc/loadavg)" "$(nproc)" <<'PY'
import json, os, statistics as st, sys
out, load, ncpu = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
ratios, fail = [], 0
for r in (1, 2, 3, 4, 5):
    res = json.load(open(os.path.join(out, f"k{r}", "run.json")))["results"][0]
    if res["status"] != "ok":
        print(f"FAIL round {r}: {res['status']} {res.get('reason')}"); sys.exit(1)
    lines = open(os.path.join(out, f"b{r}")).read().split("\n")
    bmaps = int(lines[0].split()[1])
    bare = st.median(float(x) for x in lines[1:] if x)
    info = res.get("info", {}).get("spawner", "")
    kmaps = int(info.split(":")[1].split()[0]) if "mappings" in info else 10**6
    ratios.append(res["stats"]["median"] / bare)
    print(f"round {r}: kerf {res['stats']['median']:.0f} ns, bare loop "
          f"{bare:.0f} ns, ratio {ratios[-1]:.3f}; mappings {kmaps} vs {bmaps}")
    if kmaps > bmaps + 8:
        print(f"FAIL the forking process has {kmaps} mappings, the bare "
              f"loop {bmaps} ({info or 'no info.spawner'})"); fail = 1
ratio = st.median(ratios)
# Measured at load 15 on 2 vCPUs: single rounds from 0.4 to 2.5. Only a
# machine with a PU to spare can hold a timing bound.
limit = 1.10 if load < 0.5 * ncpu else 1.5 if load < ncpu else None
print(f"spawn/fork rss=0 / bare fork loop: {ratio:.3f} (median of 5 rounds; "
      f"load {load} on {ncpu} PUs, limit {limit or 'none: too busy'})")
if limit and ratio > limit:
    print("FAIL spawn/fork at rss=0 costs more than a bare fork loop"); fail = 1
sys.exit(fail)
PY
