#!/bin/bash
# SPDX-License-Identifier: MIT
# SIGINT and SIGTERM stop kerf run at once: exit 128+signal, run.json marked
# interrupted with the finished results, no worker left behind.
set -u
fail=0
for sig in INT TERM; do
	out=$(mktemp -d)
	# Its own session: the workers are told apart from other kerfs on a
	# shared machine by session id (they change process group, not session).
	setsid "$KERF" run calib/spin -p work=100,200,300,400,500,600,700,800 \
		--procs 3 --samples 5 --out "$out" >/dev/null 2>&1 &
	pid=$!
	for _ in $(seq 1 600); do
		n=$(python3 -c 'import json,sys
try: print(len(json.load(open(sys.argv[1]))["results"]))
except Exception: print(0)' "$out/run.json" 2>/dev/null)
		[ "${n:-0}" -ge 1 ] && break
		sleep 0.05
	done
	kill -$sig $pid
	wait $pid
	rc=$?
	want=$((128 + $(kill -l $sig)))
	if [ $rc -ne $want ]; then
		echo "FAIL: SIG$sig: exit $rc, want $want"; fail=1
	fi
	python3 - "$out/run.json" <<'PY' || fail=1
import json, sys
run = json.load(open(sys.argv[1]))
assert run.get("interrupted") is True, "not marked interrupted"
assert run["finished"] is None
assert 1 <= len(run["results"]) < 8, len(run["results"])
assert all(r["status"] == "ok" for r in run["results"])
PY
	for _ in $(seq 1 50); do
		pgrep -s $pid >/dev/null || break
		sleep 0.1
	done
	if pgrep -s $pid >/dev/null; then
		echo "FAIL: SIG$sig: a worker outlived the runner"; fail=1
	fi
	rm -rf "$out"
	echo "SIG$sig: exit $rc"
done
[ $fail = 0 ] && echo PASS
exit $fail
