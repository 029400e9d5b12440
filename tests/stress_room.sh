#!/bin/bash
# SPDX-License-Identifier: MIT
# A stressor cannot reach outside its cgroup: kerf stress refuses (exit 2,
# naming both figures) a --limit larger than what the cgroup above it
# leaves, and runs one that fits. The enclosing cgroup is made here, with a
# 100M limit, in whichever hierarchy holds the memory controller.
set -u
[ "$(id -u)" -eq 0 ] || { echo "skip: needs root to make a limited cgroup"; exit 77; }
own=$(awk -F: '$2 ~ /(^|,)memory(,|$)/ {print $3}' /proc/self/cgroup)
if [ -n "$own" ]; then
	base=$(awk '$3 == "cgroup" && $4 ~ /(^|,)memory(,|$)/ {print $2; exit}' /proc/mounts)
	limfile=memory.limit_in_bytes
else
	own=$(awk -F: '$1 == "0" {print $3}' /proc/self/cgroup)
	base=$(awk '$3 == "cgroup2" {print $2; exit}' /proc/mounts)
	limfile=memory.max
	grep -qw memory "$base$own/cgroup.controllers" 2>/dev/null ||
		{ echo "skip: no memory controller in $base$own"; exit 77; }
	# v2: a cgroup with processes cannot hold limited children; make a
	# sibling under the root instead.
	own=""
fi
[ -n "$base" ] || { echo "skip: no memory cgroup mounted"; exit 77; }
encl="$base$own/kerf-room-test-$$"
mkdir "$encl" || { echo "skip: cannot create $encl"; exit 77; }
trap 'rmdir "$encl" 2>/dev/null' EXIT
[ "$limfile" = memory.max ] && echo +memory >"$base$own/cgroup.subtree_control" 2>/dev/null
echo $((100 << 20)) >"$encl/$limfile" || { echo "skip: cannot limit $encl"; exit 77; }
out=$(mktemp -d)
bash -c 'echo $$ >"$1/cgroup.procs" && exec "$2" stress memory/anon --limit 128M --duration 1s --out "$3/big"' \
	_ "$encl" "$KERF" "$out" >"$out/big.log" 2>&1
rc=$?
cat "$out/big.log"
fail=0
[ $rc -eq 2 ] || { echo "FAIL: --limit 128M in a 100M cgroup: exit $rc, expected 2"; fail=1; }
grep -q "128M" "$out/big.log" && grep -q "100M" "$out/big.log" ||
	{ echo "FAIL: the refusal does not name both figures"; fail=1; }
[ -e "$out/big" ] && { echo "FAIL: a refused run left $out/big"; fail=1; }
bash -c 'echo $$ >"$1/cgroup.procs" && exec "$2" stress memory/anon --limit 48M --duration 1s --out "$3/small"' \
	_ "$encl" "$KERF" "$out" >"$out/small.log" 2>&1
rc=$?
[ $rc -eq 0 ] || { cat "$out/small.log"; echo "FAIL: --limit 48M in a 100M cgroup: exit $rc"; fail=1; }
rm -rf "$out"
[ $fail -eq 0 ] && echo "ok: 128M refused in a 100M cgroup, 48M ran"
exit $fail
