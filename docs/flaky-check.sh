#!/bin/bash
# SPDX-License-Identifier: MIT
# Flakiness check: clone one commit fresh N times and run `./build.sh test`
# in each clone, alternating a quiet run with one beside `stress-ng --cpu 2`;
# record every test's outcome, the load and the wall time of each run.
#   docs/flaky-check.sh STATE [N]   run until STATE holds N quiet and N
#                                   stressed runs (default 5); resumes from
#                                   what STATE holds after a kill
#   docs/flaky-check.sh --table STATE   the pass counts as a Markdown table
# STATE/commit is the commit under test (HEAD when STATE is new);
# STATE/<mode>-<i>/ holds run.log, tests.tsv (test, outcome), meta (load
# before and after, wall seconds, exit), LastTest.log (every test's output)
# and done once the run finished.
set -euo pipefail

flaky_table()
{
	python3 - "$1" <<'PY'
import glob, os, sys
state = sys.argv[1]
runs = sorted(d for d in glob.glob(f"{state}/*-*/")
              if os.path.exists(f"{d}/done"))
count, seen = {}, {}
for d in runs:
    for line in open(f"{d}/tests.tsv"):
        name, outcome = line.rstrip("\n").split("\t")
        seen.setdefault(name, {}).setdefault(outcome, 0)
        seen[name][outcome] += 1
print(f"{len(runs)} runs: " + ", ".join(os.path.basename(d.rstrip('/')) for d in runs))
print()
print("| run | load before | load after | wall s | exit | passed | failed | skipped |")
print("|---|---|---|---:|---:|---:|---:|---:|")
for d in runs:
    m = dict(l.rstrip("\n").split("=", 1) for l in open(f"{d}/meta"))
    o = [l.rstrip("\n").split("\t")[1] for l in open(f"{d}/tests.tsv")]
    print(f"| {os.path.basename(d.rstrip('/'))} | {m['load_before']} | "
          f"{m['load_after']} | {m['wall_s']} | {m['exit']} | "
          f"{o.count('Passed')} | {sum(x not in ('Passed', 'Skipped') for x in o)} | "
          f"{o.count('Skipped')} |")
print()
print("| test | passed | skipped | other |")
print("|---|---:|---:|---|")
for name in sorted(seen):
    c = seen[name]
    other = ", ".join(f"{k} {v}" for k, v in c.items()
                      if k not in ("Passed", "Skipped"))
    print(f"| {name} | {c.get('Passed', 0)}/{len(runs)} | "
          f"{c.get('Skipped', 0)} | {other} |")
PY
}

# flaky_one STATE MODE I: one fresh clone, one `./build.sh test`.
flaky_one()
{
	local state=$1 mode=$2 i=$3 d t0 rc
	d="$state/$mode-$i"
	rm -rf "$d" "$state/clone"
	mkdir -p "$d"
	git clone -q "$repo" "$state/clone"
	git -C "$state/clone" checkout -q "$(cat "$state/commit")"
	if [ "$mode" = stress ]; then
		stress-ng --cpu 2 --timeout 1h >/dev/null 2>&1 &
		stress=$!
	fi
	echo "load_before=$(cut -d' ' -f1-3 /proc/loadavg)" >"$d/meta"
	t0=$(date +%s)
	rc=0
	(cd "$state/clone" && CI=true ./build.sh test) >"$d/run.log" 2>&1 || rc=$?
	{
		echo "load_after=$(cut -d' ' -f1-3 /proc/loadavg)"
		echo "wall_s=$(($(date +%s) - t0))"
		echo "exit=$rc"
	} >>"$d/meta"
	if [ -n "$stress" ]; then
		kill "$stress"
		wait "$stress" || true
		stress=""
	fi
	# "12/84 Test #53: spawn_order ....***Failed  67.84 sec"
	sed -nE 's/^ *[0-9]+\/[0-9]+ Test +#[0-9]+: ([^ ]+) \.*( |\*)*([A-Za-z]+).*/\1\t\3/p' \
		"$d/run.log" >"$d/tests.tsv"
	[ -s "$d/tests.tsv" ] || printf 'build\tFailed\n' >"$d/tests.tsv"
	# Every test's output, passing ones too (their measured figures).
	cp "$state/clone/build-test/Testing/Temporary/LastTest.log" "$d/" || true
	rm -rf "$state/clone"
	touch "$d/done"
	echo "$mode-$i: exit $rc, $(grep wall_s "$d/meta"), $(cat "$d/meta" | head -1)"
}

if [ "${1:-}" = --table ]; then
	flaky_table "$2"
	exit 0
fi
state=$(realpath -m "${1:?usage: docs/flaky-check.sh STATE [N] | --table STATE}")
n=${2:-5}
case $n in
'' | *[!0-9]*)
	echo "flaky-check: N '$n' is not a count (want 1, 2, ...)" >&2
	exit 2
	;;
esac
command -v stress-ng >/dev/null || {
	echo "flaky-check: needs stress-ng (apt-get install stress-ng)" >&2
	exit 1
}
stress=""
trap '[ -z "$stress" ] || kill "$stress"' EXIT
repo=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
mkdir -p "$state"
[ -s "$state/commit" ] || git -C "$repo" rev-parse HEAD >"$state/commit"
for i in $(seq 1 "$n"); do
	for mode in quiet stress; do
		[ -e "$state/$mode-$i/done" ] || flaky_one "$state" $mode "$i"
	done
done
flaky_table "$state"
