#!/bin/bash
# SPDX-License-Identifier: MIT
# fileio needs no privileges: a cold run as an unprivileged user still
# evicts the file (FADV_DONTNEED, not drop_caches).
set -u
. "$KERF_TESTS/fileio_common.sh"

dir=$(fileio_diskdir) || exit 77
trap 'rm -rf "$dir"' EXIT
as=()
if [ "$(id -u)" = 0 ]; then
	command -v setpriv >/dev/null || { echo "SKIP: no setpriv"; exit 77; }
	as=(setpriv --reuid=65534 --regid=65534 --clear-groups --)
	chmod 1777 "$dir"
	"${as[@]}" test -x "$KERF" -a -w "$dir" ||
		{ echo "SKIP: uid 65534 cannot run $KERF or write $dir"; exit 77; }
fi
"${as[@]}" "$KERF" run --quick --out "$dir/out" -p dir="$dir" \
	-p cache=cold -p size=1M -p pattern=seq fileio/pread fileio/mmap \
	>"$dir/log" 2>&1
[ -f "$dir/out/run.json" ] || fileio_fail "no run.json"
fileio_check "$dir/out/run.json" "unprivileged cold run" \
	'len(R) == 2 and all(r["status"] == "ok" and
	    met(r, "resident_before") < 0.01 for r in R)'
exit 0
