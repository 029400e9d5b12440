#!/bin/bash
# SPDX-License-Identifier: MIT
# The registries (benches/list.h, stressors/list.h) and the descriptors in
# benches/*.c and stressors/*.c agree, and every bench and every stressor is
# named family/variant, once.
set -u
src=$(dirname "$KERF_TESTS")
fail=0

# check_list KIND DIR MACRO: the descriptors of type struct kerf_KIND in
# DIR/*.c are exactly the MACRO(symbol) lines of DIR/list.h.
check_list()
{
	local defined listed d l
	defined=$(grep -ho "^const struct kerf_$1 [a-z0-9_]* =" "$src/$2"/*.c |
		awk '{print $4}' | sort)
	listed=$(grep -o "^$3([a-z0-9_]*)" "$src/$2/list.h" |
		sed "s/$3(\(.*\))/\1/" | sort)
	for d in $(comm -23 <(echo "$defined") <(echo "$listed")); do
		echo "FAIL: $d is defined in $2/ but not listed in $2/list.h"
		fail=1
	done
	for l in $(comm -13 <(echo "$defined") <(echo "$listed")); do
		echo "FAIL: $l is listed in $2/list.h but defined nowhere"
		fail=1
	done
	nlisted=$(echo "$listed" | wc -l)
}

# check_names WHAT: the names on stdin (not a pipe: fail must stick) are family/variant, each once, and
# as many as list.h has lines.
check_names()
{
	local names dups bad
	names=$(cat)
	dups=$(echo "$names" | sort | uniq -d)
	[ -z "$dups" ] || { echo "FAIL: duplicate $1 names: $dups"; fail=1; }
	bad=$(echo "$names" | grep -Ev '^[a-z0-9_]+/[a-z0-9_]+$')
	[ -z "$bad" ] || { echo "FAIL: $1 not family/variant: $bad"; fail=1; }
	[ "$(echo "$names" | wc -l)" -eq "$nlisted" ] ||
		{ echo "FAIL: kerf shows a different count of $1 than list.h"; fail=1; }
}

check_list stressor stressors KERF_STRESSOR
"$KERF" stress --list >/dev/null || { echo "FAIL: kerf stress --list"; exit 1; }
check_names stressors < <("$KERF" stress --list | grep -v '^ ' | awk '{print $1}')

check_list bench benches KERF_BENCH
"$KERF" list --names >/dev/null || { echo "FAIL: kerf list"; exit 1; }
check_names benches < <("$KERF" list --names)
"$KERF" list --json | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["schema"] == "kerf.list/1"; a=d["benches"]; assert all(b["unit"] and b["summary"] for b in a)' ||
	{ echo "FAIL: kerf list --json"; fail=1; }
[ $fail = 0 ] && echo PASS
exit $fail
