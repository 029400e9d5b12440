#!/bin/bash
# SPDX-License-Identifier: MIT
# sched/pipe on this host: `same` uses one PU, `core` two, placements the
# host lacks (SMT, a second NUMA node) are skips naming what is missing, and
# `near` never skips: it records the relation it got.
set -u
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$KERF" run sched/pipe -p placement=same,smt,core,l3,numa,near -p mode=process \
	--quick --procs 1 --samples 2 --out "$out" >"$out/stdout" 2>&1
rc=$?
python3 - "$out/run.json" "$rc" <<'PY'
import glob, json, os, sys
run = json.load(open(sys.argv[1]))
def one(path):
    return all("," not in open(p).read() and "-" not in open(p).read()
               for p in glob.glob(path))
no_smt = one("/sys/devices/system/cpu/cpu*/topology/thread_siblings_list")
no_numa = not os.path.exists("/sys/devices/system/node/node1")
fail = 0
for r in run["results"]:
    pl, st = r["params"]["placement"], r["status"]
    pus = set(r.get("cpus", []))
    print(f"{pl}: {st} pus {sorted(pus)} {r.get('reason', '')}")
    if st == "error":
        fail = 1
    elif st == "skip" and not r.get("reason"):
        print(f"FAIL {pl}: skip without a reason"); fail = 1
    if pl == "same" and (st != "ok" or len(pus) != 1):
        print("FAIL same: want ok on one PU"); fail = 1
    if pl == "core" and st == "ok" and len(pus) != 2:
        print("FAIL core: want two PUs recorded"); fail = 1
    if pl == "smt" and no_smt and (st != "skip" or "SMT" not in r["reason"]):
        print("FAIL smt: host has no SMT, want a skip naming it"); fail = 1
    if pl == "numa" and no_numa and (st != "skip" or "NUMA" not in r["reason"]):
        print("FAIL numa: one node, want a skip naming NUMA"); fail = 1
    got = r.get("info", {}).get("placement_got")
    if pl == "near" and (st != "ok" or not got):
        print("FAIL near: want ok with placement_got"); fail = 1
    if pl == "near" and st == "ok" and len(pus) != (1 if got == "same" else 2):
        print(f"FAIL near: {got} on PUs {sorted(pus)}"); fail = 1
if len(run["results"]) != 6:
    print("FAIL want 6 results"); fail = 1
sys.exit(fail)
PY
