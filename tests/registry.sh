#!/bin/bash
# SPDX-License-Identifier: MIT
# The registry (benches/list.h) and the descriptors in benches/*.c agree,
# and every bench is named family/variant, once.
set -u
src=$(dirname "$KERF_TESTS")
defined=$(grep -ho '^const struct kerf_bench [a-z0-9_]* =' "$src"/benches/*.c |
	awk '{print $4}' | sort)
listed=$(grep -o '^KERF_BENCH([a-z0-9_]*)' "$src/benches/list.h" |
	sed 's/KERF_BENCH(\(.*\))/\1/' | sort)
fail=0
for d in $(comm -23 <(echo "$defined") <(echo "$listed")); do
	echo "FAIL: $d is defined in benches/ but not listed in benches/list.h"
	fail=1
done
for l in $(comm -13 <(echo "$defined") <(echo "$listed")); do
	echo "FAIL: $l is listed in benches/list.h but defined nowhere"
	fail=1
done
names=$("$KERF" list --names) || { echo "FAIL: kerf list"; exit 1; }
dups=$(echo "$names" | sort | uniq -d)
[ -z "$dups" ] || { echo "FAIL: duplicate names: $dups"; fail=1; }
bad=$(echo "$names" | grep -Ev '^[a-z0-9_]+/[a-z0-9_]+$')
[ -z "$bad" ] || { echo "FAIL: not family/variant: $bad"; fail=1; }
[ "$(echo "$names" | wc -l)" -eq "$(echo "$listed" | wc -l)" ] ||
	{ echo "FAIL: kerf list shows a different count than list.h"; fail=1; }
"$KERF" list --json | python3 -c 'import json,sys; a=json.load(sys.stdin); assert all(b["unit"] and b["summary"] for b in a)' ||
	{ echo "FAIL: kerf list --json"; fail=1; }
[ $fail = 0 ] && echo PASS
exit $fail
