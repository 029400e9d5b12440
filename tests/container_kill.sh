#!/bin/bash
# SPDX-License-Identifier: MIT
# No cgroup of container/cgroup outlives kerf for long: after SIGINT,
# SIGTERM or SIGKILL of kerf, the next run of the family sweeps what the
# killed worker left. (kerf run SIGKILLs the worker on SIGINT and SIGTERM,
# so today these leave the cgroup of the op in flight until the next run.)
# The same for container/overlay, copyup and start, killed while their
# mounts are up: no mount of theirs is left in any mount namespace at once
# (they live in the worker's private one, or the container's), and their
# scratch directories and cgroups are gone after the next run.
set -u
[ "$(id -u)" -eq 0 ] || { echo "skip: needs root"; exit 77; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
left() {
	find /sys/fs/cgroup -maxdepth 4 -type d -name "kerf-$1-c*" 2>/dev/null
}
fail=0
for sig in INT TERM KILL; do
	"$KERF" run container/cgroup -p hier=v1,v2 -p move=procs --full \
		--out "$out/$sig" >"$out/$sig.log" 2>&1 &
	pid=$!
	sleep 1
	kill -"$sig" "$pid"
	wait "$pid"
	sleep 0.5
	echo "after SIG$sig: $(left "$pid" | wc -l) left before the next run"
	"$KERF" run container/cgroup -p hier=v1 -p move=procs --quick \
		--procs 1 --samples 1 --out "$out/next$sig" >/dev/null 2>&1
	if [ -n "$(left "$pid")" ]; then
		echo "FAIL the next run did not sweep: $(left "$pid")"; fail=1
	fi
done
tmp=${TMPDIR:-/tmp}
mounts() { grep -l "kerf-$1-ct" /proc/[0-9]*/mountinfo 2>/dev/null; }
dirs() { find "$tmp" -maxdepth 1 -name "kerf-$1-ct*" 2>/dev/null; }
i=0
for bench in "container/overlay -p op=stat,readdir" \
	"container/copyup -p size=256M -p on=overlay" \
	"container/start -p hier=v1,v2"; do
	for sig in INT TERM KILL; do
		i=$((i + 1))
		# shellcheck disable=SC2086
		"$KERF" run $bench --full --out "$out/b$i" >"$out/b$i.log" 2>&1 &
		pid=$!
		for _ in $(seq 100); do
			[ -n "$(dirs "$pid")" ] && break
			sleep 0.1
		done
		if [ -z "$(dirs "$pid")" ]; then
			echo "FAIL ${bench%% *}: no scratch directory while it ran"; fail=1
		fi
		for _ in $(seq 50); do
			[ -n "$(mounts "$pid")" ] && break
			sleep 0.1
		done
		seen=$(mounts "$pid" | wc -l)
		kill -"$sig" "$pid"
		wait "$pid"
		sleep 0.5
		echo "${bench%% *} SIG$sig: $seen mount tables with its mounts before the kill, $(mounts "$pid" | wc -l) mount tables, $(dirs "$pid" | wc -l) dirs, $(left "$pid" | wc -l) cgroups left before the next run"
		if [ -n "$(mounts "$pid")" ]; then
			echo "FAIL mounts left: $(mounts "$pid")"; fail=1
		fi
		"$KERF" run container/overlay -p op=mount -p layers=1 --quick \
			--samples 1 --out "$out/n$i" >/dev/null 2>&1
		if [ -n "$(dirs "$pid")$(left "$pid")" ]; then
			echo "FAIL the next run did not sweep: $(dirs "$pid") $(left "$pid")"; fail=1
		fi
	done
done
exit $fail
