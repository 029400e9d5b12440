#!/bin/bash
# SPDX-License-Identifier: MIT
# What memory/thp_compaction and memory/swap change on the host (THP knobs,
# a temporary swap file, the run's cgroup) is as found after a normal end,
# SIGINT and SIGTERM; after SIGKILL it is still changed, and `kerf stress
# --cleanup` puts it back. Each check first sees the change (else void).
set -u
. "$KERF_TESTS/stress_lib.sh"
thp=/sys/kernel/mm/transparent_hugepage
[ "$(id -u)" = 0 ] || { echo "skip: needs root (THP knobs, swapon)"; exit 77; }
[ -w $thp/defrag ] || { echo "skip: no writable THP knobs"; exit 77; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# Of the kerf-PID-* names on stdin, those of this test's kerfs or of dead
# ones (another kerf on this host may be running its own).
ours()
{
	local name p
	while read -r name; do
		p=${name##*/kerf-}
		p=${p%%-*}
		case $p in '' | *[!0-9]*) continue ;; esac
		case " $mine " in *" $p "*) echo "$name"; continue ;; esac
		kill -0 "$p" 2>/dev/null || echo "$name"
	done
}

# The host state these stressors may touch.
mine=""
state()
{
	cat $thp/enabled $thp/defrag
	grep -o '^/[^ ]*' /proc/swaps | ours
	find /sys/fs/cgroup -maxdepth 6 -type d -name 'kerf-*' 2>/dev/null | ours
	ls -d /dev/shm/kerf-* /var/tmp/kerf-* 2>/dev/null | ours
}

# Run kerf stress ARGS in the background until the host state differs.
start()
{
	"$KERF" stress "$@" --limit 64M --duration 20s --out "$out/r" \
		>"$out/log" 2>&1 &
	pid=$!
	mine="$mine $pid"
	for _ in $(seq 1 300); do
		[ "$(state)" != "$before" ] && return 0
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
	echo "FAIL: $* changed nothing on the host (test is void)"
	exit 1
}

same()
{
	local now
	now=$(state)
	[ "$now" = "$before" ] && { echo "ok: $1: host state as found"; return; }
	echo "FAIL: $1: host state differs:"
	diff <(echo "$before") <(echo "$now")
	exit 1
}

cur=$(sed 's/.*\[\(.*\)\].*/\1/' $thp/defrag)
want=never
[ "$cur" = never ] && want=always
runs=("memory/thp_compaction -p set_thp=1 -p defrag=$want")
if [ -z "$(grep -o '^/[^ ]*' /proc/swaps)" ]; then
	runs+=("memory/swap -p swapfile=64M -p rate=16M")
else
	echo "note: the host has swap; memory/swap makes no swap file to check"
fi

for r in "${runs[@]}"; do
	before=$(state)
	# A normal end: --duration 1s, the change seen while it runs.
	"$KERF" stress $r --limit 64M --duration 1s --out "$out/n" \
		>"$out/log" 2>&1 &
	pid=$!
	mine="$mine $pid"
	seen=0
	while kill -0 $pid 2>/dev/null; do
		[ "$(state)" != "$before" ] && seen=1
		sleep 0.05
	done
	wait $pid
	rc=$?
	[ $rc -le 1 ] || { echo "FAIL: $r: exit $rc: $(cat "$out/log")"; exit 1; }
	[ $seen = 1 ] || { echo "FAIL: $r: no change seen (void)"; exit 1; }
	same "$r, normal end"
	for sig in INT TERM; do
		start $r
		sleep 0.3
		kill -$sig $pid
		wait $pid
		rc=$?
		[ $rc -eq $((128 + $(kill -l $sig))) ] ||
			{ echo "FAIL: $r SIG$sig: exit $rc"; exit 1; }
		same "$r, SIG$sig"
	done
	start $r
	sleep 0.3
	kill -KILL $pid
	wait $pid 2>/dev/null
	[ "$(state)" != "$before" ] ||
		{ echo "FAIL: $r: SIGKILL left nothing (void)"; exit 1; }
	"$KERF" stress --cleanup || { echo "FAIL: --cleanup"; exit 1; }
	same "$r, SIGKILL then --cleanup"
done
