#!/bin/bash
# SPDX-License-Identifier: MIT
# The libFuzzer target over run.json (reader, compare, exports, the report's
# data path) for about a minute from the golden seeds: a crash, leak or
# timeout fails. Builds the fuzzer with clang in $KERF_BUILD/fuzz-build.
set -u
if ! command -v clang >/dev/null ||
	! ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a \
		>/dev/null 2>&1; then
	echo "skip: needs clang and libFuzzer: apt-get install -y clang libclang-rt-14-dev"
	exit 77
fi
src=$KERF_TESTS/..
b=$KERF_BUILD/fuzz-build
if ! CC=clang cmake -S "$src" -B "$b" -DKERF_FUZZ=ON -DBUILD_TESTING=OFF \
	-DCMAKE_BUILD_TYPE=RelWithDebInfo >"$b.log" 2>&1 ||
	! cmake --build "$b" -j2 --target fuzz_run >>"$b.log" 2>&1; then
	echo "FAIL: the fuzzer does not build:"; tail -20 "$b.log"
	exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/corpus"
cp "$KERF_TESTS/golden/export/run.json" "$KERF_TESTS/golden/export/new.json" \
	"$KERF_TESTS/golden/report/throttle.json" "$work/corpus/"
cd "$work" || exit 1
KERF_FUZZ_BASE=$KERF_TESTS/golden/export/run.json TMPDIR=$work \
	"$b/tests/fuzz/fuzz_run" -max_total_time="${KERF_FUZZ_SECONDS:-60}" \
	-timeout=30 -rss_limit_mb=4096 -close_fd_mask=2 \
	-artifact_prefix="$work/" corpus >"$work/log" 2>&1
rc=$?
grep -E "^#[0-9]+ +DONE|^Done|ERROR|SUMMARY" "$work/log"
if [ $rc -ne 0 ]; then
	echo "FAIL: the fuzzer found something (exit $rc):"
	tail -40 "$work/log"
	mkdir -p "$KERF_BUILD/fuzz-artifacts"
	cp "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-* \
		"$KERF_BUILD/fuzz-artifacts/" 2>/dev/null
	echo "inputs kept in $KERF_BUILD/fuzz-artifacts"
	exit 1
fi
