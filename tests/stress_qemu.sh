#!/bin/bash
# SPDX-License-Identifier: MIT
# The cgroup v2 backend against a real kernel: boot Debian's cloud kernel
# under qemu (KVM where usable, else TCG) with an initramfs holding kerf, run
# the stressors under cgroup v2, bring each run.json back on a serial port
# and check the outcomes and the cleanup after SIGINT, SIGTERM and SIGKILL.
set -u
install="apt-get install -y --no-install-recommends qemu-system-x86 linux-image-cloud-amd64 busybox-static"
qemu=$(command -v qemu-system-x86_64)
kernel=${KERF_QEMU_KERNEL:-$(ls /boot/vmlinuz-*-cloud-amd64 2>/dev/null | sort -V | tail -1)}
busybox=$(command -v busybox)
missing=""
[ -n "$qemu" ] || missing="$missing qemu-system-x86_64"
[ -n "$kernel" ] && [ -r "$kernel" ] || missing="$missing linux-image-cloud-amd64"
# A static busybox: ldd fails on it ("not a dynamic executable").
if [ -z "$busybox" ] || ldd "$busybox" >/dev/null 2>&1; then
	missing="$missing busybox-static"
fi
if [ -n "$missing" ]; then
	echo "missing:$missing; install with: $install"
	[ -n "${CI:-}" ] && exit 1
	exit 77
fi
krel=${kernel#*/vmlinuz-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The guest runs the release kerf: under TCG, ASan's fork (its shadow
# mappings) took 100 ms, and pids/fork ran out of time before pids.max. The
# host's stress tests run the sanitized one through the same cgroup code.
bash "$KERF_TESTS/qemu/mkinitramfs.sh" "$work/initrd.cpio" "${KERF_TIMING:-$KERF}" \
	"$busybox" "$krel" "$KERF_BUILD/tests/fit_alloc" || exit 1
truncate -s 320M "$work/disk.img"
# TCG by default: a /dev/kvm that opens is not always one that runs a guest
# (nested virtualisation); KERF_QEMU_KVM=1 asks for KVM.
accel="-accel tcg"
[ -n "${KERF_QEMU_KVM:-}" ] && accel="-accel kvm -accel tcg"
# The guest's budget: it starts no run after this many seconds of uptime
# (the last one it starts ends within 90 s more). kerf.slow: the guest's
# pace (centiseconds of a 20000-step shell loop) from which it runs nothing
# and check.py skips (77), saying it; a guest that ran out of its budget
# skips only if its pace was at least half that, else it fails. Measured
# here (2 vCPUs): pace 150 and 76 s quiet, 399 and 129 s beside stress-ng
# --cpu 2, about 45 s + 21 x the pace in s; 800 would need some 215 s.
budget=${KERF_QEMU_BUDGET:-270}
slow=${KERF_QEMU_SLOW:-800}
boot_max=120
start=$(date +%s)
timeout $((budget + 150)) "$qemu" $accel -m 1024 -smp 1 -display none -no-reboot \
	-kernel "$kernel" -initrd "$work/initrd.cpio" \
	-append "console=ttyS0 loglevel=4 panic=-1 cryptomgr.notests kerf.reps=${KERF_QEMU_REPS:-1} kerf.budget=$budget kerf.slow=$slow" \
	-drive file="$work/disk.img",format=raw,if=virtio \
	-serial file:"$work/console.log" -serial file:"$work/data.log" \
	-monitor none >/dev/null 2>&1 &
qpid=$!
# A boot that has not reached /init in boot_max s: TCG gets too little CPU
# (a broken kernel or initramfs panics, and qemu exits: a failure below).
while ! grep -q KERF-GUEST "$work/data.log" 2>/dev/null &&
	kill -0 $qpid 2>/dev/null; do
	if [ $(($(date +%s) - start)) -ge $boot_max ]; then
		kill $qpid
		wait $qpid
		echo "skip: the guest did not reach /init in $boot_max s ($accel): the host gives TCG too little CPU; console:"
		tail -5 "$work/console.log"
		exit 77
	fi
	sleep 1
done
boot=$(($(date +%s) - start))
wait $qpid
rc=$?
echo "qemu exit $rc after $(($(date +%s) - start)) s ($accel, /init after $boot s)"
if ! grep -q KERF-DONE "$work/data.log" 2>/dev/null; then
	echo "FAIL: the guest did not finish; console:"
	tail -40 "$work/console.log"
	tail -20 "$work/data.log" 2>/dev/null
	exit 1
fi
[ -n "${KERF_QEMU_KEEP:-}" ] && cp "$work/data.log" "$KERF_QEMU_KEEP"
python3 "$KERF_TESTS/qemu/check.py" "$work/data.log"
