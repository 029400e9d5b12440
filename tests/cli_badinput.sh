#!/bin/bash
# SPDX-License-Identifier: MIT
# Bad input: each case exits 2, names the bad value, and writes nothing.
set -u
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
fail=0

. "$KERF_TESTS/usage_lib.sh"

expect_2 "syscall/getppid" run syscall/getpid
expect_2 "no bench matches 'nosuch'" run nosuch
expect_2 "unknown parameter 'bogus'" run calib/spin -p bogus=1
expect_2 "'abc'" run calib/spin -p work=abc
expect_2 "'-1'" run calib/spin -p work=-1
expect_2 "'1Q'" run calib/spin -p work=1Q
expect_2 "'99999999999999999999'" run calib/spin -p work=99999999999999999999
expect_2 "'0'" run calib/spin -p work=0
expect_2 "NAME=VALUE" run calib/spin -p work
expect_2 "'work=1K,,2K'" run calib/spin -p work=1K,,2K
expect_2 "'work=1K,'" run calib/spin -p work=1K,
expect_2 "'abc'" run calib/spin --procs abc
expect_2 "--cpu" run calib/spin --cpu 9999
expect_2 "--cpu" run calib/spin --cpu x-y
expect_2 "/proc/kerf-nope" run calib/spin --quick --out /proc/kerf-nope/x
expect_2 "unknown command" frobnicate
expect_2 "unexpected argument" list extra
expect_2 "see kerf run --help" run --nonsense
expect_2 "'foo' is not a format" run calib/spin --export foo

# A size parameter, where some bench has one (tlb, spawn, fileio ...).
sz=$("$KERF" list --json | python3 -c '
import json, sys
for b in json.load(sys.stdin)["benches"]:
    for p in b["params"]:
        if p["type"] == "size":
            print(b["name"], p["name"]); sys.exit()')
if [ -n "$sz" ]; then
	set -- $sz
	for v in abc -1 1Q 99999999999999999999G; do
		expect_2 "'$v'" run "$1" -p "$2=$v"
	done
else
	echo "note: no bench has a size parameter yet; size cases covered by tests/parse.c"
fi

[ $fail = 0 ] && echo PASS
exit $fail
