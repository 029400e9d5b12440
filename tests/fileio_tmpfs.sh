#!/bin/bash
# SPDX-License-Identifier: MIT
# fileio on tmpfs: cache=cold skips with a reason naming the directory and
# the filesystem (its pages cannot be dropped); cache=warm still runs.
set -u
. "$KERF_TESTS/fileio_common.sh"

shm=/dev/shm
[ "$(stat -f -c %T $shm 2>/dev/null)" = tmpfs ] ||
	{ echo "SKIP: $shm is not tmpfs"; exit 77; }
dir=$(mktemp -d "${KERF_BUILD:-$PWD}/fileio.XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT
"$KERF" run --quick --out "$dir/out" -p dir=$shm -p cache=warm,cold \
	-p size=4K -p pattern=seq fileio/pread fileio/mmap >"$dir/log" 2>&1
[ -f "$dir/out/run.json" ] || fileio_fail "no run.json"
j="$dir/out/run.json"
fileio_check "$j" "cold on tmpfs did not skip with the reason" \
	'[r["status"] for r in R if r["params"]["cache"] == "cold"] ==
	    ["skip", "skip"] and all("/dev/shm" in r["reason"] and
	    "tmpfs" in r["reason"] for r in R if r["params"]["cache"] == "cold")'
fileio_check "$j" "warm on tmpfs did not run" \
	'[(r["status"], r["info"]["fs"]) for r in R
	    if r["params"]["cache"] == "warm"] == [("ok", "tmpfs")] * 2'
exit 0
