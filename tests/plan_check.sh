#!/bin/bash
# SPDX-License-Identifier: MIT
# Parameter checks at plan time (a parameter's own check, a bench's check
# of values that go together), on evloop's slo: each bad form exits 2,
# names the value and the accepted form, and writes nothing; good ones
# plan (--dry-run).
set -u
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
fail=0

. "$KERF_TESTS/usage_lib.sh"

form="expected pQ:TIME with 0 < Q < 100 and TIME a duration above 0 (500us, 1ms, 2s)"
for v in p99 p200:1ms p99:fast p0:1ms 99:1ms p99:0ms p99:-1ms "p:1ms"; do
	expect_2 "slo=$v: $form" run evloop/epoll --quick -p load=open \
		-p "slo=$v"
done
# the bad value of a sweep, in any bench of the family
expect_2 "slo=p99:1q" run evloop --quick -p load=open -p slo=p99:1ms,p99:1q
expect_2 "slo=p99:1ms needs load=open or load=search" run evloop/epoll \
	--quick -p slo=p99:1ms
expect_2 "slo=p99:1ms needs load=open or load=search" run evloop/io_uring \
	--quick -p load=open,closed -p slo=p99:1ms
expect_2 "load=search needs a target: -p slo=pQ:TIME" run evloop/poll \
	--quick -p load=search
expect_2 "slo=p99" ab evloop/epoll --quick --a-param load=open \
	--b-param load=search -p slo=p99

# good ones plan
for a in "-p load=open -p slo=p99:1ms -p rate=1000,2000" \
	"-p load=search -p slo=p99.9:500us" "-p load=open -p slo=none" ""; do
	# shellcheck disable=SC2086
	if "$KERF" run evloop/epoll --quick --dry-run $a >out 2>err &&
	   grep -q "results planned" out && [ ! -s err ]; then
		echo "ok: planned: $a"
	else
		echo "FAIL: kerf run evloop/epoll --dry-run $a"; cat out err
		fail=1
	fi
done
exit $fail
