#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Measures gate v2's false-alarm and detection rates on this machine; resumes.
#
# usage: docs/gate-validation.sh collect DIR [SLOTS]   (runs; resumes)
#        docs/gate-validation.sh analyse DIR [K]       (compares; resumes)
#
# collect: SLOTS slots (default 40), each four separate `kerf run --quick`
# runs in this order: A1 = `syscall vdso calib`, P5 = `calib/spin -p
# work=1050`, A2 = `syscall vdso calib`, P2 = `calib/spin -p work=1020`.
# A slot is done when DIR/slot/N/done exists, so a killed session resumes at
# the first slot without it. Each slot records its load (/proc/loadavg)
# and wall time in DIR/slot/N/done.
# analyse: trials of K slots (default 4, disjoint, in order), scored
# with `kerf compare BASE... -- NEW...` (K runs a side, separate runs):
#   aa       BASE = the K A1 runs, NEW = the K A2 runs: every flag is false
#   p5, p2   as aa, but NEW's calib/spin replaced by the P5 (P2) run's,
#            relabelled work=1000 so that the results pair: +5% (+2%)
#   inj2, inj5, inj10  as aa, NEW's samples of every result scaled by
#            1.02, 1.05, 1.10 (the injected-change power curve, no runs)
#   single   the first A1 vs the first A2 alone: must say "insufficient
#            replication" (exit 2)
#   hist     --history of the previous trials' A1 runs (the newest 10) vs
#            NEW = the K A2 runs of this trial
# A trial's comparisons are kept in DIR/trial/K-N/*.json (done once), and the
# summary (counts, Clopper-Pearson 95% intervals, KS of A/A p) goes to
# DIR/summary.md and stdout. KERF names the binary (default build/kerf).
set -eu
kerf=${KERF:-build/kerf}
cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || {
	sed -n '3,5p' "$0" >&2
	exit 2
}
num() {
	case $2 in
	'' | *[!0-9]*)
		echo "gate-validation: $1 '$2': expected a count" >&2
		exit 2
		;;
	esac
}

collect() {
	local slots=$1 i d t0 t1
	num SLOTS "$slots"
	for i in $(seq 1 "$slots"); do
		d=$dir/slot/$i
		[ -e "$d/done" ] && continue
		rm -rf "$d"
		mkdir -p "$d"
		t0=$(date +%s.%N)
		l0=$(cut -d' ' -f1-3 /proc/loadavg)
		"$kerf" run --quick syscall vdso calib --out "$d/a1" > "$d/a1.log" 2>&1
		"$kerf" run --quick calib/spin -p work=1050 --out "$d/p5" > "$d/p5.log" 2>&1
		"$kerf" run --quick syscall vdso calib --out "$d/a2" > "$d/a2.log" 2>&1
		"$kerf" run --quick calib/spin -p work=1020 --out "$d/p2" > "$d/p2.log" 2>&1
		t1=$(date +%s.%N)
		echo "load_before $l0 load_after $(cut -d' ' -f1-3 /proc/loadavg) wall_s $(echo "$t1 - $t0" | bc)" > "$d/done"
		echo "slot $i: $(cat "$d/done")" >&2
	done
}

case $cmd in
collect) collect "${3:-40}" ;;
analyse) exec python3 "$(dirname "$0")/gate-validation.py" "$kerf" "$dir" "${3:-4}" ;;
*)
	echo "gate-validation: '$cmd': expected collect or analyse" >&2
	exit 2
	;;
esac
