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

# The guest's pace: centiseconds a fixed shell loop takes (TCG gets less of
# the host's CPU, the loop takes longer). Uptime is wall time under TCG.
cs()
{
	t=$(cut -d' ' -f1 /proc/uptime)
	echo $((${t%.*} * 100 + 1${t#*.} - 100))
}
pace()
{
	t0=$(cs)
	i=0
	while [ $i -lt 20000 ]; do
		i=$((i + 1))
	done
	echo $(($(cs) - t0))
}
arg()
{
	sed -n "s/.*kerf\.$1=\([0-9]*\).*/\1/p" /proc/cmdline
}
budget=$(arg budget)
slow=$(arg slow)
p=$(pace)
say "KERF-PACE start cs=$p slow=${slow:-0} uptime=$(cs)"
stop=
# Too slow to finish in the budget: nothing runs (the host skips, with this).
[ "${slow:-0}" -gt 0 ] && [ "$p" -ge "$slow" ] && stop=pace

# late LABEL: true (and said, with the pace then) once the budget is spent.
late()
{
	[ -z "$stop" ] && [ -n "$budget" ] && [ $(cs) -ge $((budget * 100)) ] &&
		stop=$1 && say "KERF-PACE late cs=$(pace) uptime=$(cs) at=$1"
	[ -n "$stop" ] && say "KERF-LATE $1" && return 0
	return 1
}

# run LABEL "DURATION..." ARGS: kerf stress ARGS --duration D, for each D in
# turn until kerf says the outcome is as expected (rc 0). The stressors that
# end on their condition (a kill, pids.max) get one long D; the others, whose
# workers run for D, longer ones on a slow guest. Every try goes to the host,
# whose check holds each one to the outcome's invariants (no kill where none
# is expected, ...) and the last one to the outcome.
n=0
run()
{
	local label=$1 durs=$2 k=0 d
	shift 2
	for d in $durs; do
		late $label && return
		n=$((n + 1)) k=$((k + 1))
		timeout 240 kerf stress "$@" --duration $d --out /tmp/r$n \
			>/tmp/log$n 2>&1
		rc=$?
		say "KERF-RESULT $n rc=$rc try=$k $label $* --duration $d"
		cat /tmp/r$n/run.json >$out 2>/dev/null
		say "KERF-END $n"
		sed 's/^/KERF-LOG /' /tmp/log$n >$out
		rm -rf /tmp/r$n /tmp/log$n
		[ $rc = 0 ] && return
	done
}

run anon 90s memory/anon --limit 64M
# A busy host's TCG guest filled 38% of 32M in 6 s.
run pagecache "12s 30s 60s" memory/pagecache --limit 32M
run shmem 90s memory/shmem --limit 64M
run high "3s 10s 30s" memory/high --limit 64M
run victim 90s memory/victim --limit 64M
run victim-group 90s memory/victim --limit 64M -p group=1
# The latency probe (issue 19): memory.high far above the working set
# (the control) and at it; swap through memory.swap.max and a temporary
# swap file; THP compaction after fragmentation.
# KERF_REPS on the kernel command line repeats them (validation runs).
state()
{
	say "KERF-STATE swaps=$(grep -c '^/' /proc/swaps) thp=$(cat /sys/kernel/mm/transparent_hugepage/enabled /sys/kernel/mm/transparent_hugepage/defrag 2>/dev/null | tr ' \n' ,,)"
}
state
reps=$(arg reps)
for r in $(seq 1 ${reps:-1}); do
	# A 10 ms probe: under TCG a 4 KiB fault can take a millisecond.
	run control.$r "2s 6s" memory/high --limit 64M -p high=60M -p ws=24M \
		-p probe_period=10ms
	run at-ws.$r "2s 6s 20s" memory/high --limit 64M -p high=24M -p ws=24M \
		-p probe_period=10ms
	[ $disk = ext4 ] && run swap.$r "2s 6s 20s" memory/swap --limit 32M \
		-p swapfile=64M -p rate=64M -p probe_period=10ms
	# The path only (set, fault, put back): TCG touches 16-150 MB/s, and
	# fragmenting 26 MiB of a 1 GiB guest leaves it whole huge pages.
	run thp.$r "5s 15s" memory/thp_compaction --limit 32M -p set_thp=1 \
		-p defrag=always -p probe_period=50ms
done
state
run fork 60s pids/fork
run nofile 60s files/nofile
run throttle "2s 6s 20s" cpu/throttle

# kerf stress fit on v2: a command that touches 64 MiB.
if ! late fit; then
	timeout 120 kerf stress fit --max 256M --out /tmp/fit -- fit_alloc 64 \
		>/tmp/logfit 2>&1
	say "KERF-FIT rc=$?"
	cat /tmp/fit/fit.json >$out 2>/dev/null
	say "KERF-FITEND"
	sed 's/^/KERF-LOG /' /tmp/logfit >$out
fi

# A delegated subtree, as an unprivileged user would get it from
# systemd-run --user --scope -p Delegate=yes: kerf moves itself to a leaf.
echo "+memory +pids +cpu" >/sys/fs/cgroup/cgroup.subtree_control
d=/sys/fs/cgroup/deleg
mkdir $d
chown 65534:65534 $d $d/cgroup.procs $d/cgroup.subtree_control $d/cgroup.threads
mkdir -p /etc
echo "nobody:x:65534:65534:nobody:/:/bin/sh" >/etc/passwd
echo "nogroup:x:65534:" >/etc/group
if ! late delegated; then
	n=$((n + 1))
	sh -c "echo \$\$ >$d/cgroup.procs; exec su -s /bin/sh nobody -c \
		'exec kerf stress memory/anon --limit 64M --duration 90s --out /tmp/r$n'" \
		>/tmp/log$n 2>&1
	say "KERF-RESULT $n rc=$? try=1 delegated memory/anon --limit 64M --duration 90s"
	cat /tmp/r$n/run.json >$out 2>/dev/null
	say "KERF-END $n"
	sed 's/^/KERF-LOG /' /tmp/log$n >$out
fi

# Cleanup on SIGINT and after SIGKILL, on v2.
left()
{
	ls /sys/fs/cgroup/kerf.slice 2>/dev/null | grep "^kerf-$1-"
	ls /dev/shm 2>/dev/null | grep "^kerf-$1-"
}
# 1 MiB/s: the limit is a minute away, so the signal, not a kill, ends it.
for sig in INT TERM KILL; do
	late sig$sig && continue
	kerf stress memory/shmem -p rate=1M --limit 64M --duration 120s \
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
