#!/bin/bash
# SPDX-License-Identifier: MIT
# Physics: where the vDSO serves the clocksource, a CLOCK_MONOTONIC read through
# it is at least 3 times cheaper than the same read through syscall(2).
set -u
cs=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource 2>/dev/null)
case "$cs" in
tsc|kvm-clock|hyperv_clocksource_tsc_page|arch_sys_counter|riscv_clocksource) ;;
*) echo "SKIP: clocksource '$cs' is not one the vDSO serves"; exit 77 ;;
esac
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$KERF" run vdso/clock_gettime -p clock=monotonic -p via=vdso,syscall --quick \
	--out "$out" >/dev/null || { echo "FAIL: kerf run"; exit 1; }
python3 - "$out/run.json" <<'PY'
import json, sys
res = {r["params"]["via"]: r["stats"]["median"] for r in json.load(open(sys.argv[1]))["results"]}
ratio = res["syscall"] / res["vdso"]
print(f"vdso {res['vdso']:.1f} ns, syscall {res['syscall']:.1f} ns, ratio {ratio:.1f}")
sys.exit(0 if ratio >= 3 else 1)
PY
