#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The evloop knee at a latency target, measured N times; resumes.
#
# usage: docs/knee-validation.sh run DIR [N]    (measures; resumes)
#        docs/knee-validation.sh table DIR      (the tables, from DIR)
#
# run: N repeats (default 5), each two kerf runs over TCP loopback, one
# connection, client and server on two PUs (placement=near):
#   DIR/sweep/I   open load at the rates in RATES (default 4000 to 128000,
#                 about x1.4 apart), -p slo=$SLO (default p99:1ms), for
#                 evloop/epoll and evloop/io_uring (modes poll and recv)
#   DIR/closed/I  the same servers in the closed loop, depth 1 (the
#                 unloaded latency) and depth 16 (the rate they sustain)
# A repeat is done when DIR/I.done exists (its load before and after).
# table: per mechanism the knee of each repeat, its median and range, the
# closed loop's rate and unloaded p99, and the p99 below and above the
# knee. KERF names the binary (default build/kerf).
set -eu
kerf=${KERF:-build/kerf}
rates=${RATES:-4000,8000,11000,16000,22000,32000,45000,64000,90000,128000}
slo=${SLO:-p99:1ms}
reqs=${REQS:-10000}
cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || {
	sed -n '4,5p' "$0" >&2
	exit 2
}

run() {
	local n=$1 i
	case $n in
	'' | *[!0-9]*)
		echo "knee-validation: N '$n': expected a count" >&2
		exit 2
		;;
	esac
	for i in $(seq 1 "$n"); do
		[ -e "$dir/$i.done" ] && continue
		rm -rf "$dir/sweep/$i" "$dir/closed/$i"
		mkdir -p "$dir/sweep" "$dir/closed"
		l0=$(cut -d' ' -f1 /proc/loadavg)
		t0=$(date +%s)
		"$kerf" run evloop/epoll evloop/io_uring -p transport=tcp \
			-p conns=1 -p load=open -p "rate=$rates" -p "slo=$slo" \
			-p "reqs=$reqs" --procs 1 --samples 3 \
			--out "$dir/sweep/$i" > "$dir/sweep/$i.log" 2>&1 || true
		"$kerf" run evloop/epoll evloop/io_uring -p transport=tcp \
			-p conns=1 -p depth=1,16 -p reqs=20000 --procs 1 \
			--samples 3 --out "$dir/closed/$i" \
			> "$dir/closed/$i.log" 2>&1 || true
		echo "load_before $l0 load_after $(cut -d' ' -f1 /proc/loadavg) wall_s $(($(date +%s) - t0))" > "$dir/$i.done"
		echo "repeat $i: $(cat "$dir/$i.done")" >&2
	done
}

table() {
	python3 - "$dir" << 'EOF'
import glob, json, os, sys

top = sys.argv[1]
reps = sorted(int(os.path.basename(p)[:-5]) for p in glob.glob(top + "/*.done"))
if not reps:
    sys.exit("knee-validation: no finished repeat in %s" % top)


def load(p):
    with open(p) as f:
        return json.load(f)


def mech(r):
    m = r["bench"].split("/")[1]
    return m + ("/" + r["params"]["mode"] if "mode" in r["params"] else "")


def metric(r, k):
    v = r.get("metrics", {}).get(k, {}).get("value")
    return v


def med(xs):
    xs = sorted(x for x in xs if x is not None)
    return xs[len(xs) // 2] if xs else None


knees, closed, unl, rows, loads = {}, {}, {}, {}, []
for i in reps:
    loads.append(open("%s/%d.done" % (top, i)).read().strip())
    p = "%s/sweep/%d/run.json" % (top, i)
    if os.path.exists(p):
        d = load(p)
        for k, g in d.get("derived", {}).items():
            if k.startswith("knee:"):
                b = g["bench"].split("/")[1]
                m = b + ("/" + k.split("mode=")[1].split(",")[0]
                         if "mode=" in k else "")
                knees.setdefault(m, []).append(
                    (g.get("knee"), g.get("above"), g.get("failed_below"),
                     g.get("note")))
        for r in d["results"]:
            if r["status"] != "ok":
                continue
            rows.setdefault(mech(r), {}).setdefault(
                int(r["params"]["rate"]), []).append(
                (metric(r, "latency_p99"), metric(r, "latency_max"),
                 metric(r, "rate_sent"), r["info"].get("bottleneck")))
    p = "%s/closed/%d/run.json" % (top, i)
    if os.path.exists(p):
        for r in load(p)["results"]:
            if r["status"] != "ok":
                continue
            if r["params"]["depth"] == "16":
                closed.setdefault(mech(r), []).append(r["stats"]["median"])
            else:
                unl.setdefault(mech(r), []).append(metric(r, "latency_p99"))
# The knees again from the results, by kerf's rule (benches/lib/knee.c):
# met = the slo latency within the bound and rate_sent >= 97% of the rate;
# the knee is the top met rate with every rate above it missing. This
# re-reads runs taken before a rule change; for new runs it must agree
# with derived (checked below).
bound = None
reknee = {}
for i in reps:
    p = "%s/sweep/%d/run.json" % (top, i)
    if not os.path.exists(p):
        continue
    pts = {}
    for r in load(p)["results"]:
        if r["status"] != "ok" or metric(r, "latency_slo") is None:
            continue
        sl = r["params"]["slo"]
        b = float(sl.split(":")[1][:-2]) * {"us": 1e3, "ms": 1e6}[sl[-2:]]
        x = int(r["params"]["rate"])
        pts.setdefault(mech(r), []).append(
            (x, metric(r, "latency_slo") <= b and
             (metric(r, "rate_sent") or 0) >= 0.97 * x))
    for m, v in pts.items():
        v.sort()
        top_i = max((j for j, (_, ok) in enumerate(v) if ok), default=None)
        reknee.setdefault(m, []).append(v[top_i][0] if top_i is not None
                                        else None)
print("Repeats: %d (%s)" % (len(reps), "; ".join(loads)))
print()
print("| server | knee per repeat (req/s) | median | range | closed loop depth 16 (req/s, median) | unloaded p99 (closed, depth 1, median) |")
print("|---|---|---|---|---|---|")
for m in sorted(knees):
    ks = reknee.get(m, [])
    rec = [k for k, _, _, _ in knees[m]]
    if rec != ks:
        print("| %s | recorded by the run: %s (an older rule) |||||" % (
            m, ", ".join(str(k) for k in rec)))
    got = [k for k in ks if k is not None]
    print("| %s | %s | %s | %s | %s | %s |" % (
        m, ", ".join(str(k) if k is not None else "below" for k in ks),
        med(got) if got else "-",
        "%d-%d (%.0f%%)" % (min(got), max(got),
                            100 * (max(got) - min(got)) / med(got))
        if got else "-",
        "%.0f" % med(closed.get(m, [])) if closed.get(m) else "-",
        "%.0f us" % (med(unl.get(m, [])) / 1e3) if unl.get(m) else "-"))
print()
print("Notes:", "; ".join(sorted(set("%s: %s" % (m, n) for m in knees
                                     for _, _, _, n in knees[m] if n))) or "none")
print()
print("p99 (median over repeats, us) by offered rate; * = a repeat's "
      "client was the bottleneck; sent = achieved rate (median)")
print()
ms = sorted(rows)
print("| rate | " + " | ".join(ms) + " |")
print("|---|" + "---|" * len(ms))
for rate in sorted(set(x for m in ms for x in rows[m])):
    cells = []
    for m in ms:
        v = rows[m].get(rate, [])
        if not v:
            cells.append("")
            continue
        p99 = med(x[0] for x in v)
        sent = med(x[2] for x in v)
        cells.append("%.0f%s (sent %.0f)" % (
            p99 / 1e3, "*" if any(x[3] == "client" for x in v) else "",
            sent))
    print("| %d | %s |" % (rate, " | ".join(cells)))
EOF
}

case $cmd in
run) run "${3:-5}" ;;
table) table | tee "$dir/summary.md" ;;
*)
	echo "knee-validation: '$cmd': expected run or table" >&2
	exit 2
	;;
esac
