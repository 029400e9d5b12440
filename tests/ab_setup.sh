#!/bin/bash
# SPDX-License-Identifier: MIT
# kerf ab --a-setup/--b-setup/--restore: both setups are tried first, then
# a setup runs exactly when the next result is the other arm's, restore
# runs once at the end; SIGTERM mid-run still runs restore (exit 143) and
# keeps what finished.
set -u
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
log=$out/log
"$KERF" ab calib/spin -p work=100,200,300 --rounds 3 --procs 1 --samples 2 \
	--quick --seed 9 --a-setup "echo a >>$log" --b-setup "echo b >>$log" \
	--restore "echo r >>$log" --out "$out/ab" >"$out/stdout" 2>&1
rc=$?
[ $rc -le 1 ] || { cat "$out/stdout"; echo "FAIL: exit $rc"; exit 1; }
python3 - "$log" "$out/ab" <<'PY' || exit 1
import json, sys
lines = open(sys.argv[1]).read().split()
assert lines[:2] == ["a", "b"], lines          # both tried, a then b
assert lines[-1] == "r" and lines.count("r") == 1, lines
sw = lines[2:-1]
assert sw and all(x != y for x, y in zip(sw, sw[1:])), sw  # only on a switch
assert sw[0] == "a", sw   # the probe left b in place: the first switch is to a
for k in "ab":
    run = json.load(open("%s/%s/run.json" % (sys.argv[2], k)))
    assert run["config"]["arm"]["setup"] == "echo %s >>%s" % (k, sys.argv[1])
    assert len(run["results"]) == 3
    assert all(len(r["round_medians"]) == 3 for r in run["results"])
print("order ok: %d switches" % len(sw))
PY

# SIGTERM: restore runs, the finished results stay.
rm -f "$out/restored"
"$KERF" ab calib/spin -p work=100,200,300 --rounds 200 --procs 1 \
	--samples 2 --quick --a-setup true --b-setup true \
	--restore "touch $out/restored" --out "$out/term" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 1 600); do
	n=$(python3 -c 'import json,sys
try: print(len(json.load(open(sys.argv[1]))["results"]))
except Exception: print(0)' "$out/term/a/run.json" 2>/dev/null)
	[ "${n:-0}" -ge 1 ] && break
	sleep 0.05
done
[ -e "$out/restored" ] && { echo "FAIL: restore ran before the end"; exit 1; }
kill -TERM $pid
wait $pid
rc=$?
[ $rc = 143 ] || { echo "FAIL: SIGTERM: exit $rc, want 143"; exit 1; }
[ -e "$out/restored" ] || { echo "FAIL: restore did not run after SIGTERM"; exit 1; }
python3 - "$out/term/a/run.json" <<'PY' || exit 1
import json, sys
run = json.load(open(sys.argv[1]))
assert run.get("interrupted") is True and run["finished"] is None
assert run["results"] and all(r["status"] == "ok" for r in run["results"])
PY
echo PASS
