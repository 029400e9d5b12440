#!/bin/bash
# SPDX-License-Identifier: MIT
# Smoke test of one registered bench: `kerf run NAME --quick` must finish,
# write a run.json that parses, and every result must be ok or a skip.
set -u
name=$1
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$KERF" run "$name" --quick --out "$out" >"$out/stdout" 2>"$out/stderr"
rc=$?
python3 - "$out/run.json" "$name" "$rc" <<'PY'
import json, sys
path, name, rc = sys.argv[1], sys.argv[2], int(sys.argv[3])
run = json.load(open(path))
res = [r for r in run["results"] if r["bench"] == name]
if not res:
    print(f"no result for {name} (kerf exit {rc})"); sys.exit(1)
bad = [r for r in res if r["status"] == "error"]
for r in bad:
    print(f"ERROR {r['bench']} {r['params']}: {r.get('reason')}")
ok = [r for r in res if r["status"] == "ok"]
for r in ok:
    st = r["stats"]
    if not r["samples"] or not (st["min"] <= st["median"] <= st["max"]):
        print(f"bad stats in {r['params']}"); sys.exit(1)
    print(f"ok   {r['params']} median {st['median']:.4g} {r['unit']}")
for r in res:
    if r["status"] == "skip":
        print(f"skip {r['params']}: {r.get('reason')}")
if bad or rc != 0:
    sys.exit(1)
sys.exit(0 if ok else 77)
PY
