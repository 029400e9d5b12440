#!/bin/bash
# SPDX-License-Identifier: MIT
# kerf ab refuses bad input with exit 2, a message naming the value, and
# nothing written; a failing setup command is tried before anything is
# measured, and restore still runs.
set -u
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
fail=0
# expect WORD ARGS...: exit 2, WORD in the message, no output directory.
expect() {
	local word=$1
	shift
	"$KERF" ab "$@" --quick --rounds 2 --out "$out/d" >"$out/o" 2>"$out/e"
	local rc=$?
	if [ $rc -ne 2 ] || ! grep -qF -- "$word" "$out/e" || [ -e "$out/d" ]; then
		echo "FAIL: kerf ab $*: exit $rc, wanted 2 naming '$word'"
		cat "$out/e"
		fail=1
	fi
	rm -rf "$out/d"
}
expect "no arms" calib/spin
expect "--b-param" calib/spin --a-param work=1000
expect "work=abc" calib/spin --a-param work=1000 --b-param work=abc
expect "different parameters" calib/spin --a-param work=1 --b-param size=2
expect "nosuch" calib/spin --a-param nosuch=1 --b-param nosuch=2
expect "one value" calib/spin --a-param work=1,2 --b-param work=3
expect "-p work" calib/spin -p work=5 --a-param work=1 --b-param work=2
expect "one way" calib/spin --a-param work=1 --b-setup true
expect "--restore" calib/spin --a-param work=1 --b-param work=2 --restore true
expect "--rounds" calib/spin --a-param work=1 --b-param work=2 --rounds 0
expect "/nonexistent/kerf" calib/spin --a-kerf /nonexistent/kerf --b-kerf "$KERF"
expect "not a kerf binary" calib/spin --a-kerf /bin/true --b-kerf "$KERF"
expect "--format" calib/spin --a-param work=1 --b-param work=2 --format xml
expect "nosuchbench" nosuchbench --a-param work=1 --b-param work=2
# A failing setup: said, restore run, nothing written.
expect "exit status 3" calib/spin --a-setup true --b-setup "exit 3" \
	--restore "touch $out/restored"
[ -e "$out/restored" ] || { echo "FAIL: restore did not run"; fail=1; }
[ $fail = 0 ] && echo PASS
exit $fail
