#!/bin/bash
# SPDX-License-Identifier: MIT
# kerf ab --a-kerf/--b-kerf: each arm's worker processes are that binary's.
# Arm B's "binary" is a wrapper that logs each call, so the log must hold
# exactly B's worker processes and none of A's.
set -u
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cat >"$out/kerf-b" <<SH
#!/bin/sh
echo "\$1" >>"$out/calls"
exec "$KERF" "\$@"
SH
chmod +x "$out/kerf-b"
"$KERF" ab calib/spin -p work=100,200 --rounds 3 --procs 1 --samples 2 \
	--quick --a-kerf "$KERF" --b-kerf "$out/kerf-b" --out "$out/ab" \
	>"$out/log" 2>&1
rc=$?
[ $rc -le 1 ] || { cat "$out/log"; echo "FAIL: exit $rc"; exit 1; }
python3 - "$out" <<'PY'
import json, sys
d = sys.argv[1]
calls = open(d + "/calls").read().split()
a, b = (json.load(open("%s/ab/%s/run.json" % (d, k))) for k in "ab")
assert b["config"]["arm"]["kerf"] == d + "/kerf-b", b["config"]["arm"]
assert b["config"]["arm"]["version"].startswith("kerf ")
procs = lambda run: sum(r["procs"] for r in run["results"])
assert procs(b) == 6 and procs(a) == 6, (procs(a), procs(b))
assert calls.count("__worker") == procs(b), calls   # B's workers only
assert calls.count("--version") == 1, calls
print("PASS")
PY
