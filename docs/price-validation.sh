#!/bin/bash
# SPDX-License-Identifier: MIT
# Reproduce docs/price.md's validation: price the system calls of programs
# nobody here wrote and compare with their system CPU time without strace.
#   docs/price-validation.sh RUN.json [OUTDIR]
# RUN.json: kerf run call syscall/getppid syscall/fstat vdso/clock_gettime \
#   vdso/gettimeofday spawn/fork spawn/exec spawn/pthread -p clock=monotonic \
#   -p rss=0
# Needs strace, dd, tar, git, python3; makes /tmp/kerf-src (a copy of
# /usr/include committed to git) when it is missing.
set -eu
run=$1
out=${2:-$(mktemp -d)}
kerf=${KERF:-$(dirname "$0")/../build/kerf}
src=/tmp/kerf-src
mkdir -p "$out"
if [ ! -d $src/.git ]; then
	rm -rf $src && cp -a /usr/include $src
	git -C $src init -q && git -C $src add -A
	git -C $src -c user.email=k@k -c user.name=k commit -qm tree
fi
git -C $src status >/dev/null # the index is fresh before any timing

# The system CPU time of a command without strace (wait4's rusage of the
# first process, children included), median of 5; stdout into a pipe to cat
# when the 2nd argument is "pipe".
stime() {
	python3 - "$@" <<'PY'
import os, subprocess, sys, statistics
mode, cmd = sys.argv[1], sys.argv[2:]
t = []
for _ in range(5):
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE if mode == "pipe" else subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    c = subprocess.Popen(["cat"], stdin=p.stdout, stdout=subprocess.DEVNULL) if mode == "pipe" else None
    if c: p.stdout.close()
    t.append(os.wait4(p.pid, 0)[2].ru_stime)
    if c: c.wait()
print(statistics.median(t), " ".join("%.3f" % x for x in t))
PY
}

# A full strace -f trace to a syscall,count,bytes CSV: bytes are the return
# values of the calls that move data.
trace2csv() {
	python3 - "$1" <<'PY'
import re, sys, collections
io = {"read", "write", "pread64", "pwrite64", "readv", "writev", "sendto",
      "recvfrom", "sendmsg", "recvmsg"}
n, b = collections.Counter(), collections.Counter()
start = re.compile(r"^\d+\s+([a-z0-9_]+)\(")
resumed = re.compile(r"^\d+\s+<\.\.\. ([a-z0-9_]+) resumed>")
ret = re.compile(r"\)\s+= (-?\d+)")
for line in open(sys.argv[1]):
    m = start.match(line)
    if m:
        n[m[1]] += 1
        name = m[1]
    else:
        m = resumed.match(line)
        if not m:
            continue
        name = m[1]
    r = ret.search(line)
    if name in io and r and int(r[1]) > 0:
        b[name] += int(r[1])
print("syscall,count,bytes")
for k in sorted(n):
    print(f"{k},{n[k]},{b[k]}" if k in io else f"{k},{n[k]}")
PY
}

# measure NAME MODE MAPS... -- CMD...
measure() {
	local name=$1 mode=$2 maps=() cmd
	shift 2
	while [ "$1" != "--" ]; do maps+=(--map "$1"); shift; done
	shift
	cmd=("$@")
	if [ "$mode" = pipe ]; then
		strace -c -f -o "$out/$name.strace" "${cmd[@]}" | cat >/dev/null
		strace -f -qq -o "$out/$name.trace" "${cmd[@]}" | cat >/dev/null
	else
		strace -c -f -o "$out/$name.strace" "${cmd[@]}" >/dev/null 2>&1
		strace -f -qq -o "$out/$name.trace" "${cmd[@]}" >/dev/null 2>&1
	fi
	trace2csv "$out/$name.trace" >"$out/$name.csv"
	rm -f "$out/$name.trace"
	read -r sys all < <(stime "$mode" "${cmd[@]}")
	for f in strace csv; do
		"$kerf" price "$out/$name.$f" --run "$run" "${maps[@]}" \
			--format json >"$out/$name.$f.json"
		"$kerf" price "$out/$name.$f" --run "$run" "${maps[@]}" \
			--format md >"$out/$name.$f.md"
		python3 - "$out/$name.$f.json" "$name" "$f" "$sys" "$all" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
r = j["runs"][0]
p, s = r["unit_ns"] / 1e9, float(sys.argv[4])
lo, hi = (x / 1e9 for x in r["unit_ci95"])
print(f"| {sys.argv[2]} | {sys.argv[3]} | {j['profile']['calls']:.0f} | "
      f"{p*1e3:.1f} [{lo*1e3:.1f}, {hi*1e3:.1f}] | {s*1e3:.1f} ({sys.argv[5]}) | "
      f"{p/s:.2f} | {100*r['unpriced_share']:.2f}% |")
PY
	done
}

echo "| program | profile | calls | priced ms [ci95] | system ms, median (5 runs, s) | priced/system | unpriced |"
echo "|---|---|---:|---:|---:|---:|---:|"
measure dd plain 'read=call/read{on=dev}' 'write=call/write{on=dev}' -- \
	dd if=/dev/zero of=/dev/null bs=4k count=200000
measure tar pipe 'write=call/write{on=pipe}' -- tar cf - --exclude=.git -C /tmp kerf-src
measure git-status plain -- git -C $src status
