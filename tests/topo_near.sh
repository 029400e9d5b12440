#!/bin/bash
# SPDX-License-Identifier: MIT
# The default placement on the shapes that made evloop and sched skip: a
# per-core-L3 VM (forced with a synthetic hwloc topology over the real PUs)
# and one PU (taskset). Default placements must give results that record the
# relation they got; an explicit core placement must still skip with reason.
set -u
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
[ "$(nproc)" -ge 2 ] || { echo "skip: needs 2 PUs"; exit 77; }
# run TAG PUS PLACEMENTS [VAR=VALUE...]: both benches on PUS.
run() {
	local tag=$1 pus=$2 pl=$3
	shift 3
	env "$@" taskset -c "$pus" "$KERF" run sched/pipe evloop/epoll \
		-p placement="$pl" -p conns=1 -p reqs=200 --quick --procs 1 \
		--samples 2 --out "$out/$tag" >"$out/$tag.log" 2>&1
	echo "$tag: kerf exit $?"
}
# Every core its own L3, one node: the shape of many cloud VMs.
run l3 0,1 near,core HWLOC_SYNTHETIC="pack:1 l3:2 core:1 pu:1" \
	HWLOC_THISSYSTEM=1
run onepu 0 near
python3 - "$out" <<'PY'
import json, os, sys
want = {"l3": {"near": ("ok", "l3"), "core": ("skip", None)},
        "onepu": {"near": ("ok", "same")}}
fail = 0
for tag, exp in want.items():
    path = os.path.join(sys.argv[1], tag, "run.json")
    if not os.path.exists(path):
        print(f"FAIL {tag}: no run.json"); fail = 1; continue
    seen = set()
    for r in json.load(open(path))["results"]:
        pl, st, info = r["params"]["placement"], r["status"], r.get("info", {})
        got = info.get("placement_got")
        print(f"{tag} {r['bench']} {pl}: {st} got={got} pus={r.get('cpus')} "
              f"{r.get('reason') or info.get('placement_why', '')}")
        seen.add((r["bench"], pl))
        wst, wgot = exp[pl]
        if st != wst:
            print(f"FAIL want {wst}"); fail = 1
        elif st == "skip" and "L3" not in r.get("reason", ""):
            print("FAIL the skip does not name the missing L3"); fail = 1
        elif st == "ok" and got != wgot:
            print(f"FAIL want placement_got={wgot}"); fail = 1
        elif st == "ok" and not info.get("placement_why"):
            print("FAIL no placement_why"); fail = 1
        if st == "ok" and wgot == "same":
            if len(r.get("cpus", [])) != 1 or not any(
                    "one PU" in w for w in r.get("warnings", [])):
                print("FAIL one PU: want one PU recorded and a warning")
                fail = 1
        if st == "ok" and wgot == "l3" and len(r.get("cpus", [])) != 2:
            print("FAIL want two PUs recorded"); fail = 1
    if len(seen) != 2 * len(exp):
        print(f"FAIL {tag}: {len(seen)} results, want {2 * len(exp)}")
        fail = 1
sys.exit(fail)
PY
