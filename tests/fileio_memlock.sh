#!/bin/bash
# SPDX-License-Identifier: MIT
# fileio/io_uring whose registered buffers exceed RLIMIT_MEMLOCK skips and
# says so (unprivileged: root's CAP_IPC_LOCK would lift the limit).
set -u
. "$KERF_TESTS/fileio_common.sh"

dir=$(mktemp -d "${KERF_BUILD:-$PWD}/fileio.XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT
as=()
if [ "$(id -u)" = 0 ]; then
	command -v setpriv >/dev/null || { echo "SKIP: no setpriv"; exit 77; }
	as=(setpriv --reuid=65534 --regid=65534 --clear-groups --)
	chmod 1777 "$dir"
	"${as[@]}" test -x "$KERF" -a -w "$dir" ||
		{ echo "SKIP: uid 65534 cannot run $KERF or write $dir"; exit 77; }
fi
# 16 buffers of 1M against a 64 KiB limit.
(ulimit -l 64 && "${as[@]}" "$KERF" run --quick --out "$dir/out" \
	-p dir="$dir" -p size=4M -p cache=warm -p pattern=seq -p bs=1M \
	-p depth=16 fileio/io_uring) >"$dir/log" 2>&1
[ -f "$dir/out/run.json" ] || fileio_fail "no run.json"
fileio_check "$dir/out/run.json" "registered buffers over RLIMIT_MEMLOCK" \
	'R[0]["status"] == "skip" and "RLIMIT_MEMLOCK" in R[0]["reason"]'
exit 0
