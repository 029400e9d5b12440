#!/bin/bash
# SPDX-License-Identifier: MIT
# Cleanup in every path: SIGINT and SIGTERM mid-run leave no cgroup and no
# file; after a SIGKILL the leftovers are there, and `kerf stress --cleanup`
# removes them.
set -u
. "$KERF_TESTS/stress_lib.sh"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# Start a stressor in the background, wait until its cgroup exists.
start()
{
	"$KERF" stress "$@" --limit 64M --duration 20s --out "$out/r" \
		>"$out/log" 2>&1 &
	pid=$!
	for _ in $(seq 1 200); do
		[ -n "$(stress_leftovers $pid)" ] && return 0
		if ! kill -0 $pid 2>/dev/null; then
			wait $pid
			if [ $? -eq 2 ] && grep -q cgroup "$out/log"; then
				echo "skip: no writable cgroup: $(cat "$out/log")"
				exit 77
			fi
			echo "FAIL: kerf ended early: $(cat "$out/log")"
			exit 1
		fi
		sleep 0.05
	done
	echo "FAIL: no cgroup appeared"
	exit 1
}

for sig in INT TERM; do
	start memory/shmem -p rate=8M
	sleep 0.5
	kill -$sig $pid
	wait $pid
	rc=$?
	want=$((128 + $(kill -l $sig)))
	[ $rc -eq $want ] || { echo "FAIL: SIG$sig: exit $rc, want $want"; exit 1; }
	left=$(stress_leftovers $pid)
	[ -z "$left" ] || { echo "FAIL: SIG$sig left: $left"; exit 1; }
	python3 -c 'import json,sys
r = json.load(open(sys.argv[1]))["results"][0]
assert r["status"] == "error" and r["reason"] == "interrupted by SIG" + sys.argv[2], r' \
		"$out/r/run.json" $sig || exit 1
	echo "ok: SIG$sig: exit $rc, nothing left"
done

start memory/shmem -p rate=8M
sleep 0.5
kill -KILL $pid
wait $pid 2>/dev/null
sleep 0.2
left=$(stress_leftovers $pid)
[ -n "$left" ] || { echo "FAIL: SIGKILL left nothing to clean (test is void)"; exit 1; }
echo "after SIGKILL: $left"
"$KERF" stress --cleanup || { echo "FAIL: --cleanup"; exit 1; }
left=$(stress_leftovers $pid)
[ -z "$left" ] || { echo "FAIL: --cleanup left: $left"; exit 1; }
echo "ok: SIGKILL leftovers removed by --cleanup"

# The next run removes them too.
start memory/shmem -p rate=8M
kill -KILL $pid
wait $pid 2>/dev/null
sleep 0.2
old=$pid
[ -n "$(stress_leftovers $old)" ] || { echo "FAIL: nothing left"; exit 1; }
"$KERF" stress files/nofile --out "$out/n" >/dev/null 2>&1
left=$(stress_leftovers $old)
[ -z "$left" ] || { echo "FAIL: the next run left: $left"; exit 1; }
echo "ok: the next kerf stress removed the leftovers"
