# SPDX-License-Identifier: MIT
# Shared by the stress tests: find what a kerf run left behind.

# The cgroups (any hierarchy) and /dev/shm files of the kerf with pid $1.
stress_leftovers()
{
	find /sys/fs/cgroup -maxdepth 6 -type d -name "kerf-$1-*" 2>/dev/null
	ls -d /dev/shm/kerf-"$1"-* 2>/dev/null
}

# Run kerf stress; exit 77 when this host gives kerf no cgroup to work in.
stress_or_skip()
{
	local err rc
	err=$(mktemp)
	"$KERF" stress "$@" 2>"$err" >/dev/null
	rc=$?
	if [ $rc -eq 2 ] && grep -q "cgroup" "$err"; then
		echo "skip: no writable cgroup: $(cat "$err")"
		rm -f "$err"
		exit 77
	fi
	cat "$err" >&2
	rm -f "$err"
	return $rc
}

# Run kerf stress ARGS... with its output in the file $1, in the background
# so that pid (for stress_leftovers) is kerf's own; rc is its exit status.
# Exit 77 when this host gives kerf no cgroup to work in.
stress_run_logged()
{
	local log=$1
	shift
	"$KERF" stress "$@" >"$log" 2>&1 &
	pid=$!
	wait $pid
	rc=$?
	if [ $rc -eq 2 ] && grep -q cgroup "$log"; then
		echo "skip: no writable cgroup: $(cat "$log")"
		exit 77
	fi
}
