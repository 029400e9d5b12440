#!/bin/bash
# SPDX-License-Identifier: MIT
# The other stressors on this host, for real: memory/victim kills the worker
# with the highest oom_score, pids/fork stops at pids.max with EAGAIN,
# files/nofile at the soft limit with EMFILE, cpu/throttle throttles; nothing
# is left behind.
set -u
. "$KERF_TESTS/stress_lib.sh"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
fail=0
for args in "memory/victim --limit 64M" "pids/fork -p max=32" \
	    "files/nofile -p soft=256" "cpu/throttle --duration 1s"; do
	# shellcheck disable=SC2086
	stress_run_logged "$out/log" $args --out "$out/r"
	head -1 "$out/log"
	[ $rc -eq 0 ] || { echo "FAIL: $args: exit $rc"; fail=1; }
	left=$(stress_leftovers $pid)
	[ -z "$left" ] || { echo "FAIL: $args left $left"; fail=1; }
	python3 -c 'import json,sys
r = json.load(open(sys.argv[1]))["results"][0]
assert r["status"] == "skip" or r["outcome"]["as_expected"], r.get("outcome")' \
		"$out/r/run.json" || fail=1
	rm -rf "$out/r"
done
exit $fail
