#!/bin/bash
# SPDX-License-Identifier: MIT
# Physics: where the vDSO serves CLOCK_MONOTONIC, a read through it enters no
# kernel, so it is at least 2 times cheaper than the same read through
# syscall(2) (measured 5-20x on VMs and bare metal). Measured on a release
# kerf ($KERF_TIMING). Whether the vDSO serves is checked first, without
# timing: strace counts the syscalls of 1000 reads.
set -u
cs=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource 2>/dev/null)
case "$cs" in
tsc|kvm-clock|hyperv_clocksource_tsc_page|arch_sys_counter|riscv_clocksource) ;;
*) echo "SKIP: clocksource '$cs' is not one the vDSO serves"; exit 77 ;;
esac
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# kvm-clock is served only while the host marks it stable: ask strace.
if strace -f -qq -e trace=clock_gettime -o "$out/strace" python3 -c '
import time
for _ in range(1000): time.clock_gettime(time.CLOCK_MONOTONIC)' 2>/dev/null; then
	n=$(grep -c CLOCK_MONOTONIC "$out/strace")
	echo "strace: $n clock_gettime(CLOCK_MONOTONIC) syscalls for 1000 reads"
	if [ "$n" -ge 1000 ]; then
		echo "SKIP: the vDSO does not serve CLOCK_MONOTONIC here (clocksource $cs)"
		exit 77
	fi
else
	echo "SKIP: strace cannot trace python3 here (not installed, or ptrace denied); cannot tell whether the vDSO serves"
	exit 77
fi
echo "kerf: ${KERF_TIMING:=$KERF}; load: $(cut -d' ' -f1-3 /proc/loadavg)"
"$KERF_TIMING" run vdso/clock_gettime -p clock=monotonic -p via=vdso,syscall \
	--quick --out "$out" >/dev/null || { echo "FAIL: kerf run"; exit 1; }
python3 - "$out/run.json" <<'PY'
import json, sys
res = {r["params"]["via"]: r["stats"]["median"] for r in json.load(open(sys.argv[1]))["results"]}
ratio = res["syscall"] / res["vdso"]
print(f"vdso {res['vdso']:.1f} ns, syscall {res['syscall']:.1f} ns, ratio {ratio:.1f}, want >= 2")
sys.exit(0 if ratio >= 2 else 1)
PY
