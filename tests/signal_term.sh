#!/bin/bash
# SPDX-License-Identifier: MIT
# signal/term, on a release kerf ($KERF_TIMING): a child that keeps SIGTERM
# blocked for 50 ms takes at least 50 ms to die (a bound, not a race);
# SIGKILL and a handled SIGTERM do not wait for it: under half of that.
set -u
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "kerf: ${KERF_TIMING:=$KERF}; load: $(cut -d' ' -f1-3 /proc/loadavg)"
"$KERF_TIMING" run signal/term -p how=kill,term,term_blocked -p block=50ms \
	--quick --procs 1 --samples 3 --out "$out" >"$out/stdout" 2>&1
rc=$?
python3 - "$out/run.json" "$rc" <<'PY'
import json, sys
run = json.load(open(sys.argv[1]))
med = {r["params"]["how"]: r["stats"]["median"]
       for r in run["results"] if r["status"] == "ok"}
print(", ".join(f"{k} {v / 1e6:.3f} ms" for k, v in med.items()))
fail = int(sys.argv[2]) != 0 or set(med) != {"kill", "term", "term_blocked"}
if fail:
    print(f"FAIL kerf exit {sys.argv[2]}, results for {sorted(med)}")
else:
    if med["term_blocked"] < 50e6:
        print("FAIL term_blocked under the 50 ms block"); fail = 1
    for how in ("kill", "term"):
        if not med[how] < med["term_blocked"] / 2:
            print(f"FAIL {how} not under half of term_blocked"); fail = 1
sys.exit(1 if fail else 0)
PY
