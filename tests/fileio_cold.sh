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

# io_uring may skip where the kernel lacks it; everything else must be ok.
jq -e '[.results[] | select(.status != "ok" and
	(.bench != "fileio/io_uring" or .status != "skip"))] | length == 0' \
	"$dir/out/run.json" >/dev/null || fileio_fail "a result is not ok"
n=$(jq '[.results[] | select(.status == "ok")] | length' "$dir/out/run.json")
[ "$n" -ge 24 ] || fileio_fail "only $n results ok, expected 24 or more"
jq -e '[.results[] | select(.status == "ok" and .params.cache == "cold") |
	.metrics.resident_before.value] | length > 0 and all(. < 0.01)' \
	"$dir/out/run.json" >/dev/null ||
	fileio_fail "a cold run found the file resident"
jq -e '[.results[] | select(.status == "ok" and .params.cache == "warm") |
	.metrics.resident_before.value] | length > 0 and all(. > 0.99)' \
	"$dir/out/run.json" >/dev/null ||
	fileio_fail "a warm run found the file not resident"
jq -e '[.results[] | select(.warnings // [] | any(test("not (cold|warm)")))]
	| length == 0' "$dir/out/run.json" >/dev/null ||
	fileio_fail "a cold-or-warm warning"
left=$(find "$dir" -name 'kerf-fileio-*' | head -1)
[ -z "$left" ] || fileio_fail "test file left behind: $left"
exit 0
