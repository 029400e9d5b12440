#!/bin/bash
# SPDX-License-Identifier: MIT
# A run killed with SIGKILL between two benches leaves a valid run.json that
# holds every finished result, and no worker process behind.
set -u
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$KERF" run calib/spin -p work=100,200,300,400,500,600,700,800,900,1000 \
	--procs 3 --samples 5 --out "$out" >/dev/null 2>&1 &
pid=$!
# Wait for two finished results, then kill at once.
for _ in $(seq 1 600); do
	n=$(python3 -c 'import json,sys
try: print(len(json.load(open(sys.argv[1]))["results"]))
except Exception: print(0)' "$out/run.json" 2>/dev/null)
	[ "${n:-0}" -ge 2 ] && break
	sleep 0.05
done
kill -KILL $pid
wait $pid 2>/dev/null
sleep 0.3
python3 - "$out/run.json" <<'PY' || exit 1
import json, sys
run = json.load(open(sys.argv[1]))
res = run["results"]
assert run["schema"] == "kerf.run/2"
assert run["finished"] is None, "a killed run cannot have finished"
assert len(res) >= 2, f"only {len(res)} results kept"
for r in res:
    assert r["status"] == "ok" and len(r["samples"]) == r["stats"]["n"], r
print(f"PASS: {len(res)} finished results kept, file valid")
PY
# PR_SET_PDEATHSIG kills the worker; give a loaded machine a moment.
for _ in $(seq 1 50); do
	pgrep -f "kerf __worker.*calib/spin" >/dev/null || exit 0
	sleep 0.1
done
echo "FAIL: a worker outlived the killed runner by 5 s"
exit 1
