#!/bin/bash
# SPDX-License-Identifier: MIT
# The real consumer: google/benchmark's compare.py (Debian libbenchmark-tools)
# reads two kerf gbench exports and names kerf's benches with their change:
# a rate (evloop req/s, +8.7% in new.json) as time per request (-8.0%), and
# the OVERALL_GEOMEAN row, which one zero time (a skip, a rate) would erase.
set -u
cmp_py=/usr/share/benchmark/compare.py
py=/usr/bin/python3
if [ ! -r $cmp_py ] || ! $py -c 'import scipy, numpy' 2>/dev/null; then
	echo "skip: needs compare.py and scipy:" \
	     "apt-get install -y libbenchmark-tools python3-scipy"
	exit 77
fi
g=$KERF_TESTS/golden/export
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$KERF" export "$g/run.json" --format gbench -o "$work/base.json" || exit 1
"$KERF" export "$g/new.json" --format gbench -o "$work/new.json" || exit 1
$py $cmp_py --no-color benchmarks "$work/base.json" "$work/new.json" \
	>"$work/out" 2>"$work/err"
rc=$?
cat "$work/out" | head -5
if [ $rc -ne 0 ] || grep -q Traceback "$work/err"; then
	echo "FAIL: compare.py exited $rc"; cat "$work/err"; exit 1
fi
fail=0
# the row of the median aggregate of each bench: name, time change, ...
for want in 'syscall/getppid_median +0.3' \
	    'vdso/clock_gettime/clock:monotonic/via:vdso_median' \
	    'tlb/chase/pages:4k/size:1G_median' \
	    'syscall/getppid_pvalue' \
	    'evloop/echo/conns:1/server:epoll/time_per_req_median -0.08' \
	    'evloop/echo/conns:16/server:uring/time_per_req_pvalue' \
	    'OVERALL_GEOMEAN +0.0'; do
	name=${want%% *}
	line=$(grep -F -- "$name " "$work/out" | head -1)
	if [ -z "$line" ]; then
		echo "FAIL: compare.py output lacks $name"; fail=1
	elif [ "$want" != "$name" ] &&
	     ! echo "$line" | grep -qF -- "${want#* }"; then
		echo "FAIL: $name: want change ${want#* }, got: $line"; fail=1
	else
		echo "ok: $line"
	fi
done
exit $fail
