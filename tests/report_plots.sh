#!/bin/bash
# SPDX-License-Identifier: MIT
# kerf report of the fixed run (and of it against a second run): every
# expected plot is a valid SVG and a PNG, the page links only to files that
# exist, and the tables say what the runs hold.
set -u
if ! command -v gnuplot >/dev/null; then
	echo "skip: needs gnuplot: apt-get install -y gnuplot-nox"
	exit 77
fi
g=$KERF_TESTS/golden/export
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0

one="syscall-bars-ns-op,vdso-via-ns-op,tlb-chase-sweep-size"
one="$one,evloop-echo-sweep-conns,evloop-echo-sweep-conns-p99"
one="$one,calib-bars-ns-op,memory-anon-timeline-0"
"$KERF" report "$g/run.json" -o "$work/one" >"$work/out" 2>"$work/err"
rc=$?
if [ $rc -ne 0 ] || [ -s "$work/err" ]; then
	echo "FAIL: kerf report exited $rc"; cat "$work/err"; fail=1
fi
python3 "$KERF_TESTS/report_check.py" "$work/one" "$one" || fail=1

# has WHAT FILE TEXT: the page holds TEXT
has() {
	if grep -qF -- "$3" "$2"; then
		echo "ok: $1"
	else
		echo "FAIL: $1: no '$3' in $2"; fail=1
	fi
}
p=$work/one/index.html
has "skip reason shown" $p "one NUMA node: a remote placement needs two"
has "error shown" $p "open /tmp/kerf-fileio: No space left on device"
has "vdso ratio flagged" $p "not served by the vDSO here; clocksource tsc"
has "vdso ratio served" $p "served in user space"
has "run warnings" $p "virtual machine (kvm)"
has "stressor outcome" $p "1 worker killed (SIGKILL), kerf alive"
has "a family table" $p "<td>tlb/chase</td><td>pages=4k size=256M</td>"
has "log x axis of the sweep" $work/one/plots/tlb-chase-sweep-size.gp \
	"set logscale x"
has "one line per page size" $work/one/plots/tlb-chase-sweep-size.gp \
	"title 'pages=2M'"
has "bytes for people" $p "peak_usage = 63.0 MiB"
has "memory size for people" $p "25276502016 (23.5 GiB)"
has "kill marked" $work/one/plots/memory-anon-timeline-0.svg "OOM kill"
has "pressure on y2" $work/one/plots/memory-anon-timeline-0.gp \
	"axes x1y2"

# a comparison: the same plots per run, the ratios, differing env keys
two="$one,compare-syscall,compare-vdso,compare-tlb,compare-evloop"
two="$two,compare-calib,memory-anon-timeline-1"
"$KERF" report "$g/run.json" "$g/new.json" -o "$work/two" >"$work/out" \
	2>"$work/err" || { echo "FAIL: comparison report"; fail=1; }
python3 "$KERF_TESTS/report_check.py" "$work/two" "$two" || fail=1
p=$work/two/index.html
has "env difference highlighted" $p \
	'<tr class="diff"><td>kernel</td><td>6.18.44'
has "summary: the gate's regression" $p \
	'<tr><td class="v1">regression</td><td>syscall/getppid</td><td>new</td>'
has "summary: the gate refuses" $p "they differ in <b>kernel</b>"
has "summary: single runs need replication" $p "Verdicts need replication."
has "family table: value, change, mark" $p \
	'<td class="n">215</td><td class="n" title="95% interval +23.2% to'
has "family table: getppid worse" $p 'the spread between runs is unseen">worse</td>'
has "chart labels: only the varying params" \
	$work/two/plots/compare-evloop.gp "'evloop/echo conns=1 server=epoll'"
has "chart: log ratio axis" $work/two/plots/compare-tlb.gp "set logscale x"
s=$(grep -n 'id="summary"' $p | cut -d: -f1)
r=$(grep -n 'id="runs"' $p | cut -d: -f1)
if [ -n "$s" ] && [ -n "$r" ] && [ "$s" -lt "$r" ]; then
	echo "ok: the summary comes first"
else
	echo "FAIL: the summary (line $s) is not above the runs (line $r)"; fail=1
fi
python3 "$KERF_TESTS/svg_text.py" "$work/two" --compare || fail=1
python3 "$KERF_TESTS/svg_text.py" "$work/one" || fail=1

# two benches of a family sweeping the same parameter: one plot of them
# together as well (epoll against io_uring, here tlb/chase against a copy)
python3 - "$g/run.json" "$work/fam.json" <<'PY'
import copy, json, sys
d = json.load(open(sys.argv[1]))
extra = [copy.deepcopy(r) for r in d["results"] if r["bench"] == "tlb/chase"]
for r in extra:
    r["bench"] = "tlb/chase2"
d["results"] += extra
json.dump(d, open(sys.argv[2], "w"))
PY
"$KERF" report "$work/fam.json" -o "$work/fam" >/dev/null 2>&1 || { echo "FAIL: family report"; fail=1; }
if [ -s "$work/fam/plots/tlb-compared-size.svg" ] &&
   grep -q "tlb/chase2" "$work/fam/plots/tlb-compared-size.gp"; then
	echo "ok: a family's benches compared on one plot"
else
	echo "FAIL: no plot of the family's benches together"; fail=1
fi
[ -e "$work/one/plots/tlb-compared-size.svg" ] &&
	{ echo "FAIL: a family plot with one bench"; fail=1; }

# hostile names reach the comparison's charts only as inert strings
python3 - "$g/run.json" "$work" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["results"] = d["results"][:2]
d["results"][0]["bench"] = "x`touch " + sys.argv[2] + "/pwned`/y"
d["results"][1]["params"] = {"k'`touch " + sys.argv[2] + "/pwned`": "v"}
for n in ("evil-a", "evil-b"):
    json.dump(d, open(sys.argv[2] + "/" + n + ".json", "w"))
PY
"$KERF" report "$work/evil-a.json" "$work/evil-b.json" -o "$work/evil" \
	>/dev/null 2>&1
# Backquotes may stay, inside single-quoted gnuplot strings, which gnuplot
# never expands (inject_report.sh covers every sink and payload).
if ! ls "$work"/evil/plots/compare-*.svg >/dev/null 2>&1 ||
   [ -e "$work/pwned" ] ||
   cat "$work"/evil/plots/compare-*.gp | grep -v '^#' | grep -q '"[^"]*`'; then
	echo "FAIL: no comparison chart, a command ran, or a backquote in a double-quoted string"; fail=1
else
	echo "ok: comparison charts drawn, no command ran"
fi

# a timeline that is not about memory (cpu/throttle): its columns as lines
"$KERF" report "$KERF_TESTS/golden/report/throttle.json" -o "$work/cpu" \
	>"$work/out" 2>"$work/err" || { echo "FAIL: throttle report"; fail=1; }
python3 "$KERF_TESTS/report_check.py" "$work/cpu" \
	"cpu-throttle-timeline-0" || fail=1
has "throttle columns plotted" $work/cpu/plots/cpu-throttle-timeline-0.gp \
	"title 'throttled_us (right axis)'"

# bad input: exit 2, nothing written
printf '{"schema": "kerf.run/1", "results": [\n  {"bench": 1,,\n' \
	>"$work/broken.json"
"$KERF" report "$g/run.json" "$work/broken.json" -o "$work/bad" 2>"$work/err"
rc=$?
if [ $rc -ne 2 ] || ! grep -qF "broken.json:2:" "$work/err" ||
   [ -e "$work/bad" ]; then
	echo "FAIL: broken run: exit $rc, want 2 with FILE:LINE, nothing written"
	cat "$work/err"; fail=1
else
	echo "ok: broken run: $(head -1 "$work/err")"
fi
"$KERF" report "$g/run.json" 2>"$work/err"
[ $? -eq 2 ] || { echo "FAIL: no -o: want exit 2"; fail=1; }
exit $fail
