#!/bin/bash
# SPDX-License-Identifier: MIT
# signal/term: a child that keeps SIGTERM blocked for 20 ms takes at least
# 20 ms to die; SIGKILL and a handled SIGTERM take far less.
set -u
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$KERF" run signal/term -p how=kill,term,term_blocked -p block=20ms --quick \
	--procs 1 --samples 3 --out "$out" >"$out/stdout" 2>&1
rc=$?
python3 - "$out/run.json" "$rc" <<'PY'
import json, sys
run = json.load(open(sys.argv[1]))
med = {r["params"]["how"]: r["stats"]["median"]
       for r in run["results"] if r["status"] == "ok"}
print(med)
fail = int(sys.argv[2]) != 0 or set(med) != {"kill", "term", "term_blocked"}
if not fail:
    if med["term_blocked"] < 20e6:
        print("FAIL term_blocked under the 20 ms block"); fail = 1
    if not med["kill"] < 10e6 or not med["term"] < 10e6:
        print("FAIL kill/term not well under the block"); fail = 1
sys.exit(1 if fail else 0)
PY
