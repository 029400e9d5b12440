#!/bin/bash
# SPDX-License-Identifier: MIT
# kerf price without --run measures the benches the profile needs with kerf
# run --quick, writes that run under results/, and prices with it: the
# price of 1000 getppid calls is 1000 times syscall/getppid's median there.
set -u
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
printf 'syscall,count\ngetppid,1000\n' >"$d/p.csv"
(cd "$d" && "$KERF" price p.csv --format json >out.json 2>err) ||
	{ echo "FAIL: exit $?: $(tail -3 "$d/err")"; exit 1; }
python3 - "$d" <<'PY'
import glob, json, sys
d = sys.argv[1]
runs = glob.glob(d + "/results/*/run.json")
if len(runs) != 1:
    print("FAIL: no run under results/:", runs); sys.exit(1)
run = json.load(open(runs[0]))
benches = {x["bench"] for x in run["results"]}
if benches != {"syscall/getppid"}:
    print("FAIL: measured", benches); sys.exit(1)
med = run["results"][0]["stats"]["median"]
j = json.load(open(d + "/out.json"))
got = j["runs"][0]["unit_ns"]
if abs(got - 1000 * med) > 1e-6 * got:
    print(f"FAIL: priced {got}, want {1000 * med}"); sys.exit(1)
PY
