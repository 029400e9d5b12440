#!/bin/bash
# SPDX-License-Identifier: MIT
# No cgroup of container/cgroup outlives kerf for long: after SIGINT,
# SIGTERM or SIGKILL of kerf, the next run of the family sweeps what the
# killed worker left. (kerf run SIGKILLs the worker on SIGINT and SIGTERM,
# so today these leave the cgroup of the op in flight until the next run.)
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
exit $fail
