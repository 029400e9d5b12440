#!/bin/bash
# SPDX-License-Identifier: MIT
# fileio cache=cold really is cold (mincore saw nothing resident before a
# pass) and cache=warm really is warm, for every fileio bench; no file is left.
set -u
. "$KERF_TESTS/fileio_common.sh"

dir=$(fileio_diskdir) || exit 77
trap 'rm -rf "$dir"' EXIT
fileio_run "$dir" -p cache=warm,cold -p size=1M,4K -p pattern=seq,rand \
	fileio/read fileio/pread fileio/mmap fileio/io_uring || exit 1

j="$dir/out/run.json"
# io_uring may skip where the kernel lacks it; everything else must be ok.
fileio_check "$j" "a result is not ok" \
	'all(r["status"] == "ok" or (r["bench"] == "fileio/io_uring" and
	    r["status"] == "skip") for r in R)'
fileio_check "$j" "fewer than 24 results ok" \
	'sum(r["status"] == "ok" for r in R) >= 24'
fileio_check "$j" "a cold run found the file resident" \
	'all(met(r, "resident_before") < 0.01 for r in R
	    if r["status"] == "ok" and r["params"]["cache"] == "cold")'
fileio_check "$j" "a warm run found the file not resident" \
	'all(met(r, "resident_before") > 0.99 for r in R
	    if r["status"] == "ok" and r["params"]["cache"] == "warm")'
fileio_check "$j" "a not-cold or not-warm warning" \
	'not any("not cold" in w or "not warm" in w
	    for r in R for w in r.get("warnings", []))'
left=$(find "$dir" -name 'kerf-fileio-*' | head -1)
[ -z "$left" ] || fileio_fail "test file left behind: $left"
exit 0
