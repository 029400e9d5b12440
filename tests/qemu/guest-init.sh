#!/bin/sh
# SPDX-License-Identifier: MIT
# /init of the cgroup v2 test guest: mount, run the stressors, hand each
# run.json back on the second serial port (/dev/ttyS1), power off.
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /dev/shm
mount -t tmpfs shm /dev/shm
mount -t tmpfs tmp /tmp
mount -t cgroup2 cgroup2 /sys/fs/cgroup
for m in $(cat /lib/modules/order 2>/dev/null); do
	insmod /lib/modules/$m 2>/dev/null
done
sleep 1
if [ -b /dev/vda ] && mke2fs -q /dev/vda >/dev/null 2>&1 &&
   mount -t ext4 /dev/vda /var/tmp; then
	disk=ext4
else
	disk=none
fi
out=/dev/ttyS1

say()
{
	echo "$*" >$out
}

say "KERF-GUEST kernel=$(cat /proc/sys/kernel/osrelease) disk=$disk controllers=$(cat /sys/fs/cgroup/cgroup.controllers)"

n=0
run()
{
	n=$((n + 1))
	timeout 180 kerf stress "$@" --out /tmp/r$n >/tmp/log$n 2>&1
	rc=$?
	say "KERF-RESULT $n rc=$rc $*"
	cat /tmp/r$n/run.json >$out 2>/dev/null
	say "KERF-END $n"
	sed 's/^/KERF-LOG /' /tmp/log$n >$out
}

run memory/anon --limit 64M
# 12 s: a busy host's TCG guest filled 38% of 32M in 6 s.
run memory/pagecache --limit 32M --duration 12s
run memory/shmem --limit 64M
run memory/high --limit 64M --duration 3s
run memory/victim --limit 64M
run memory/victim --limit 64M -p group=1
# The latency probe (issue 19): memory.high far above the working set
# (the control) and at it; swap through memory.swap.max and a temporary
# swap file; THP compaction after fragmentation.
# KERF_REPS on the kernel command line repeats them (validation runs).
state()
{
	say "KERF-STATE swaps=$(grep -c '^/' /proc/swaps) thp=$(cat /sys/kernel/mm/transparent_hugepage/enabled /sys/kernel/mm/transparent_hugepage/defrag 2>/dev/null | tr ' \n' ,,)"
}
state
reps=$(sed -n 's/.*kerf.reps=\([0-9]*\).*/\1/p' /proc/cmdline)
for _ in $(seq 1 ${reps:-1}); do
	# A 10 ms probe: under TCG a 4 KiB fault can take a millisecond.
	run memory/high --limit 64M --duration 2s -p high=60M -p ws=24M \
		-p probe_period=10ms
	run memory/high --limit 64M --duration 2s -p high=24M -p ws=24M \
		-p probe_period=10ms
	[ $disk = ext4 ] && run memory/swap --limit 32M --duration 2s \
		-p swapfile=64M -p rate=64M -p probe_period=10ms
	# The path only (set, fault, put back): TCG touches 16-150 MB/s, and
	# fragmenting 26 MiB of a 1 GiB guest leaves it whole huge pages.
	run memory/thp_compaction --limit 32M --duration 5s -p set_thp=1 \
		-p defrag=always -p probe_period=50ms
done
state
run pids/fork
run files/nofile
run cpu/throttle --duration 2s

# kerf stress fit on v2: a command that touches 64 MiB.
timeout 300 kerf stress fit --max 256M --out /tmp/fit -- fit_alloc 64 \
	>/tmp/logfit 2>&1
say "KERF-FIT rc=$?"
cat /tmp/fit/fit.json >$out 2>/dev/null
say "KERF-FITEND"
sed 's/^/KERF-LOG /' /tmp/logfit >$out

# A delegated subtree, as an unprivileged user would get it from
# systemd-run --user --scope -p Delegate=yes: kerf moves itself to a leaf.
echo "+memory +pids +cpu" >/sys/fs/cgroup/cgroup.subtree_control
d=/sys/fs/cgroup/deleg
mkdir $d
chown 65534:65534 $d $d/cgroup.procs $d/cgroup.subtree_control $d/cgroup.threads
n=$((n + 1))
mkdir -p /etc
echo "nobody:x:65534:65534:nobody:/:/bin/sh" >/etc/passwd
echo "nogroup:x:65534:" >/etc/group
sh -c "echo \$\$ >$d/cgroup.procs; exec su -s /bin/sh nobody -c \
	'exec kerf stress memory/anon --limit 64M --out /tmp/r$n'" \
	>/tmp/log$n 2>&1
say "KERF-RESULT $n rc=$? delegated memory/anon --limit 64M"
cat /tmp/r$n/run.json >$out 2>/dev/null
say "KERF-END $n"
sed 's/^/KERF-LOG /' /tmp/log$n >$out

# Cleanup on SIGINT and after SIGKILL, on v2.
left()
{
	ls /sys/fs/cgroup/kerf.slice 2>/dev/null | grep "^kerf-$1-"
	ls /dev/shm 2>/dev/null | grep "^kerf-$1-"
}
for sig in INT TERM KILL; do
	kerf stress memory/shmem -p rate=8M --limit 64M --duration 20s \
		--out /tmp/s$sig >/dev/null 2>&1 &
	pid=$!
	# Until its cgroup and file exist (TCG on a busy host: seconds).
	for _ in $(seq 1 150); do
		[ -n "$(left $pid)" ] && break
		sleep 0.2
	done
	sleep 0.5
	before=$(left $pid | wc -l)
	kill -$sig $pid
	wait $pid
	rc=$?
	sleep 0.3
	say "KERF-CHECK sig=$sig rc=$rc before=$before after=$(left $pid | wc -l)"
	if [ $sig = KILL ]; then
		kerf stress --cleanup >/dev/null 2>&1
		say "KERF-CHECK cleanup after=$(left $pid | wc -l)"
	fi
done
say "KERF-DONE"
sync
poweroff -f
