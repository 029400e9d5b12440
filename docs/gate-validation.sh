#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Measures gate v2's false-alarm and detection rates on this machine; resumes.
#
# usage: docs/gate-validation.sh collect DIR [SLOTS]   (runs; resumes)
#        docs/gate-validation.sh analyse DIR [K]       (compares; resumes)
#        docs/gate-validation.sh ab DIR [TRIALS] [R]   (kerf ab trials; resumes)
#        docs/gate-validation.sh abscore DIR           (scores the ab trials)
#
# ab: TRIALS trials (default 93) of the real `kerf ab`, R rounds each
# (default 10), in DIR/ab/N: aa = `kerf ab --quick syscall vdso calib
# --a-param work=1000 --b-param work=1000` (both arms the same: every flag
# is false), p5 and p2 = `kerf ab --quick calib/spin --a-param work=1000
# --b-param work=1050 (1020)`, and p2r3 = p2 with 3R rounds. A trial is done
# when DIR/ab/N/done exists (its load and the wall time of each part).
# abscore: counts with Clopper-Pearson 95% intervals, the KS statistic of
# the A/A p-values, and the injected power curve: the b arm of each A/A
# trial with its samples x1.02, 1.05, 1.10, compared again (no runs).
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

# The Python both analyses share: JSON, Clopper-Pearson, table rows.
gv_py() {
	cat << 'EOF'
import glob, json, math, os, subprocess, sys


def load(p):
    with open(p) as f:
        return json.load(f)


def cp(k, n, a=0.05):
    """Clopper-Pearson interval by bisection on the binomial tail."""
    def cdf(k, p):
        return sum(math.comb(n, i) * p ** i * (1 - p) ** (n - i)
                   for i in range(k + 1))

    def solve(f):
        lo, hi = 0.0, 1.0
        for _ in range(60):
            m = (lo + hi) / 2
            lo, hi = (m, hi) if f(m) else (lo, m)
        return lo
    lo = 0.0 if k == 0 else solve(lambda p: 1 - cdf(k - 1, p) < a / 2)
    hi = 1.0 if k == n else solve(lambda p: cdf(k, p) > a / 2)
    return lo, hi


def results(d):
    return [x for c in d.get("columns", []) for x in c["results"]]


def line(name, k, n, what):
    lo, hi = cp(k, n) if n else (float("nan"),) * 2
    print("| %s | %d / %d | [%.3f, %.3f] | %s |" % (name, k, n, lo, hi, what))

def aa_summary(aa):
    """The A/A verdict counts and the KS statistic of their p; the p."""
    vc = {}
    for d in aa:
        for x in results(d):
            vc[x["verdict"]] = vc.get(x["verdict"], 0) + 1
    print()
    print("A/A verdicts over all results:", ", ".join(
        "%s %d" % kv for kv in sorted(vc.items())))
    ps = sorted(x["p"] for d in aa for x in results(d) if x["p"] is not None)
    if ps:
        D = max(max(abs((i + 1) / len(ps) - p), abs(p - i / len(ps)))
                for i, p in enumerate(ps))
        print("A/A per-result p: %d values, KS D = %.3f (5%% critical value "
              "for independent p: %.3f; the p of one trial are correlated, "
              "and exact relabelling p are discrete)" % (
                  len(ps), D, 1.36 / math.sqrt(len(ps))))
    return ps
EOF
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

analyse() {
	num K "$1"
	command -v python3 > /dev/null || {
		echo "gate-validation: python3 is needed for the analysis" >&2
		exit 2
	}
	python3 -c "$(gv_py)
$(cat << 'EOF'

kerf, top, K = sys.argv[1], sys.argv[2], int(sys.argv[3])
done = set(int(os.path.basename(os.path.dirname(d)))
           for d in glob.glob(top + "/slot/*/done"))
slots = []
while len(slots) + 1 in done:  # contiguous slots only
    slots.append(len(slots) + 1)
ntr = len(slots) // K
INJ = (1.02, 1.05, 1.10)


def dump(d, p):
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p + ".tmp", "w") as f:
        json.dump(d, f)
    os.replace(p + ".tmp", p)


def planted(a2, p, out):
    """a2's run with calib/spin replaced by p's, relabelled work=1000."""
    d, q = load(a2 + "/run.json"), load(p + "/run.json")["results"][0]
    q["params"] = {"work": "1000"}
    d["results"] = [q if r["bench"] == "calib/spin" else r
                    for r in d["results"]]
    dump(d, out + "/run.json")


def injected(a2, f, out):
    d = load(a2 + "/run.json")
    for r in d["results"]:
        if "samples" in r:
            g = f if r.get("better") == "lower" else 1 / f
            r["samples"] = [x * g for x in r["samples"]]
    dump(d, out + "/run.json")


def compare(out, args):
    """kerf compare ARGS --format json, kept in out (done once)."""
    if os.path.exists(out):
        return load(out)
    p = subprocess.run([kerf, "compare", "--format", "json"] + args,
                       capture_output=True, text=True)
    try:
        d = json.loads(p.stdout)
    except ValueError:
        d = {}
    d["rc"] = p.returncode
    dump(d, out)
    return d


def merged(runs, arm, out):
    """The runs as the rounds of one kerf.run/2 (what kerf ab writes)."""
    if os.path.exists(out + "/run.json"):
        return out
    ds = [load(r + "/run.json") for r in runs]
    d = ds[0]
    d["schema"] = "kerf.run/2"
    d["config"]["rounds"] = len(ds)
    d["config"]["arm"] = {"name": arm}
    for res in d["results"]:
        key = (res["bench"], json.dumps(res.get("params"), sort_keys=True))
        s, sr, sp, rm, off = [], [], [], [], 0
        for k, e in enumerate(ds):
            q = [x for x in e["results"] if (x["bench"], json.dumps(
                x.get("params"), sort_keys=True)) == key][0]
            xs = q.get("samples", [])
            s += xs
            sr += [k] * len(xs)
            sp += [off + p for p in q.get("sample_procs", [0] * len(xs))]
            off = max(sp) + 1 if sp else off
            m = sorted(xs)
            rm.append((m[(len(m) - 1) // 2] + m[len(m) // 2]) / 2 if m
                      else None)
        res.update(samples=s, sample_rounds=sr, sample_procs=sp,
                   round_medians=rm)
    dump(d, out + "/run.json")
    return out


def slot(i, w):
    return "%s/slot/%d/%s" % (top, i, w)


def done_field(i, name):
    f = open("%s/slot/%d/done" % (top, i)).read().split()
    return float(f[f.index(name) + 1])


res = {}
for t in range(ntr):
    ss = slots[t * K:(t + 1) * K]
    td = "%s/trial/%d-%d" % (top, K, t + 1)
    a1 = [slot(i, "a1") for i in ss]
    a2 = [slot(i, "a2") for i in ss]
    r = res.setdefault(t, {})
    r["aa"] = compare(td + "/aa.json", a1 + ["--"] + a2)
    for e in ("p5", "p2"):
        news = []
        for i in ss:
            o = "%s/%s/%d" % (td, e, i)
            if not os.path.exists(o + "/run.json"):
                planted(slot(i, "a2"), slot(i, e), o)
            news.append(o)
        r[e] = compare(td + "/%s.json" % e, a1 + ["--"] + news)
        r[e + "t1"] = compare(td + "/%s-t1.json" % e,
                              a1 + ["--"] + news + ["--threshold", "1"])
    for f in INJ:
        news = []
        for i in ss:
            o = "%s/inj%g/%d" % (td, f, i)
            if not os.path.exists(o + "/run.json"):
                injected(slot(i, "a2"), f, o)
            news.append(o)
        r["inj%g" % f] = compare(td + "/inj%g.json" % f, a1 + ["--"] + news)
    r["single"] = compare(td + "/single.json", [a1[0], a2[0]])
    # The slots as the rounds of one interleaved A/B (kerf ab, simulated).
    ra = merged(a1, "a", td + "/ab/a")
    r["ab-aa"] = compare(td + "/ab-aa.json",
                         [ra, merged(a2, "b", td + "/ab/b")])
    for e in ("p5", "p2"):
        nb = merged(["%s/%s/%d" % (td, e, i) for i in ss], "b",
                    td + "/ab/" + e)
        r["ab-" + e] = compare(td + "/ab-%s.json" % e, [ra, nb])
        r["ab-%st1" % e] = compare(td + "/ab-%s-t1.json" % e,
                                   [ra, nb, "--threshold", "1"])
    for f in INJ:
        nb = merged(["%s/inj%g/%d" % (td, f, i) for i in ss], "b",
                    td + "/ab/inj%g" % f)
        r["ab-inj%g" % f] = compare(td + "/ab-inj%g.json" % f, [ra, nb])
    if t > 0:
        hd = td + "/hist"
        os.makedirs(hd, exist_ok=True)
        for i in slots[:t * K]:
            link = "%s/s%d" % (hd, i)
            if not os.path.lexists(link):
                os.symlink(os.path.abspath(slot(i, "a1")), link)
        r["hist"] = compare(td + "/hist.json",
                            ["--history", hd, "--last", "10"] + a2)
    r["wall"] = sum(done_field(i, "wall_s") for i in ss)
    r["load"] = sum(done_field(i, "load_before") for i in ss) / len(ss)


def flagged(d):
    return [x for x in results(d)
            if x["verdict"] in ("regression", "improvement")]


n = len(res)
print("Trials: %d of %d runs a side (separate `kerf run --quick syscall vdso "
      "calib`, alternated A1 P5 A2 P2 per slot), %d slots" % (n, K,
                                                               len(slots)))
if n:
    print("wall per trial (its %d slots, 4 runs each): %.0f s mean; load "
          "(1 min avg) per trial: min %.1f mean %.1f max %.1f" % (
              K, sum(r["wall"] for r in res.values()) / n,
              min(r["load"] for r in res.values()),
              sum(r["load"] for r in res.values()) / n,
              max(r["load"] for r in res.values())))
print()
print("| experiment | count | Clopper-Pearson 95% | meaning |")
print("|---|---|---|---|")
for pre, design in (("", "runs"), ("ab-", "ab")):
    aa = [r[pre + "aa"] for r in res.values()]
    line(design + " A/A false alarm", sum(bool(flagged(d)) for d in aa), n,
         "trials with any result flagged")
    line(design + " A/A exit != 0", sum(d["rc"] != 0 for d in aa), n, "")
    for e, lab in (("p5", "+5% planted, default threshold 3%"),
                   ("p5t1", "+5% planted, --threshold 1"),
                   ("p2", "+2% planted, default threshold 3%"),
                   ("p2t1", "+2% planted, --threshold 1")):
        k = sum(any(x["bench"] == "calib/spin" and
                    x["verdict"] == "regression"
                    for x in results(r[pre + e])) for r in res.values())
        line("%s %s detected" % (design, e), k, n, lab)
line("single run: exit 2", sum(r["single"]["rc"] == 2 for r in res.values()),
     n, "one run a side: insufficient replication")
h = [r["hist"] for r in res.values() if "hist" in r]
line("--history A/A false alarm", sum(bool(flagged(d)) for d in h), len(h),
     "NEW = the trial's A2 runs, BASE = up to 10 earlier A1 runs")
for pre, design in (("", "runs"), ("ab-", "ab")):
    aa = [r[pre + "aa"] for r in res.values()]
    print()
    print("## design %s" % design)
    ps = aa_summary(aa)
    if ps:
        methods = {}
        for d in aa:
            for c in d.get("columns", []):
                methods[c["method"]] = methods.get(c["method"], 0) + 1
        print("methods:", methods)
    print()
    print("Injected change (NEW samples x f), results found as regressions:")
    print()
    print("| f | found | of | share | median detectable % |")
    print("|---|---|---|---|---|")
    for f in INJ:
        xs = [x for r in res.values() for x in results(r[pre + "inj%g" % f])]
        k = sum(x["verdict"] == "regression" for x in xs)
        det = sorted(x["detectable_pct"] for x in xs
                     if x["detectable_pct"] is not None)
        print("| %g | %d | %d | %.3f | %.1f |" % (
            f, k, len(xs), k / max(len(xs), 1),
            det[len(det) // 2] if det else float("nan")))
    print()
    print("Per result at x1.10 (found / trials, median detectable %):")
    by = {}
    for r in res.values():
        for x in results(r[pre + "inj1.1"]):
            b = by.setdefault(x["key"], [0, 0, []])
            b[0] += x["verdict"] == "regression"
            b[1] += 1
            if x["detectable_pct"] is not None:
                b[2].append(x["detectable_pct"])
    for k, (a, b, d) in by.items():
        d.sort()
        print("  %-56s %d/%d  %.1f%%" % (k, a, b,
                                         d[len(d) // 2] if d else float("nan")))
EOF
)" "$kerf" "$dir" "$1"
}

abtrials() {
	local n=$1 r=$2 i d t0 e a b rr rc
	num TRIALS "$n"
	num R "$r"
	for i in $(seq 1 "$n"); do
		d=$dir/ab/$i
		[ -e "$d/done" ] && continue
		rm -rf "$d"
		mkdir -p "$d"
		echo "load_before $(cut -d' ' -f1 /proc/loadavg) rounds $r" > "$d/info"
		for e in aa p5 p2 p2r3; do
			a=1000 b=1000 rr=$r
			set -- syscall vdso calib
			case $e in
			p5) set -- calib/spin; b=1050 ;;
			p2) set -- calib/spin; b=1020 ;;
			p2r3) set -- calib/spin; b=1020 rr=$((3 * r)) ;;
			esac
			t0=$(date +%s.%N)
			rc=0
			"$kerf" ab --quick "$@" --rounds "$rr" --a-param work=$a \
				--b-param work=$b --out "$d/$e" --format json \
				> "$d/$e.json" 2> "$d/$e.log" || rc=$?
			echo "$e rc $rc wall_s $(echo "$(date +%s.%N) - $t0" | bc)" >> "$d/info"
		done
		echo "load_after $(cut -d' ' -f1 /proc/loadavg)" >> "$d/info"
		mv "$d/info" "$d/done"
		echo "trial $i: $(tr '\n' ' ' < "$d/done")" >&2
	done
}

abscore() {
	python3 -c "$(gv_py)
$(cat << 'EOF'

kerf, top = sys.argv[1], sys.argv[2]
trials = sorted(int(os.path.basename(os.path.dirname(d)))
                for d in glob.glob(top + "/ab/*/done"))
INJ = (1.02, 1.05, 1.10)
PARTS = ("aa", "p5", "p2", "p2r3")


def info(i):
    w = open("%s/ab/%d/done" % (top, i)).read().split()
    d = {"load_before": float(w[w.index("load_before") + 1]),
         "load_after": float(w[w.index("load_after") + 1]),
         "rounds": int(w[w.index("rounds") + 1])}
    for e in PARTS:
        k = w.index(e)
        d[e + "_rc"], d[e + "_wall"] = int(w[k + 2]), float(w[k + 4])
    return d


def injected(i, f):
    """The A/A trial's b arm, samples x f, compared with its a arm."""
    out = "%s/ab/%d/inj%g" % (top, i, f)
    if os.path.exists(out + ".json"):
        return load(out + ".json")
    d = load("%s/ab/%d/aa/b/run.json" % (top, i))
    for r in d["results"]:
        g = f if r.get("better") == "lower" else 1 / f
        for k in ("samples", "round_medians"):
            if isinstance(r.get(k), list):
                r[k] = [x * g if x is not None else None for x in r[k]]
    os.makedirs(out, exist_ok=True)
    with open(out + "/run.json", "w") as fh:
        json.dump(d, fh)
    p = subprocess.run([kerf, "compare", "--format", "json",
                        "%s/ab/%d/aa/a" % (top, i), out],
                       capture_output=True, text=True)
    c = json.loads(p.stdout)
    c["rc"] = p.returncode
    with open(out + ".json.tmp", "w") as fh:
        json.dump(c, fh)
    os.replace(out + ".json.tmp", out + ".json")
    return c


def med(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2] if xs else float("nan")


inf = {i: info(i) for i in trials}
cmp = {i: {e: load("%s/ab/%d/%s.json" % (top, i, e)) for e in PARTS}
       for i in trials}
n = len(trials)
if not n:
    sys.exit("abscore: no finished trial under %s/ab" % top)
rs = sorted(set(v["rounds"] for v in inf.values()))
print("Trials: %d real `kerf ab` trials, R = %s rounds (p2r3: 3R)" % (n, rs))
for e in PARTS:
    print("  %-4s wall per trial: median %.1f s, max %.1f s" % (
        e, med(v[e + "_wall"] for v in inf.values()),
        max(v[e + "_wall"] for v in inf.values())))
ls = [v["load_before"] for v in inf.values()]
print("  load (1 min) before a trial: min %.2f median %.2f max %.2f" % (
    min(ls), med(ls), max(ls)))
print()
print("| experiment | count | Clopper-Pearson 95% | meaning |")
print("|---|---|---|---|")
aa = [cmp[i]["aa"] for i in trials]
line("A/A exit 1", sum(inf[i]["aa_rc"] == 1 for i in trials), n,
     "a regression called: the gate's false alarm")
line("A/A any result flagged",
     sum(any(x["verdict"] in ("regression", "improvement")
             for x in results(d)) for d in aa), n,
     "a regression or an improvement called on any result")
line("A/A exit 2", sum(inf[i]["aa_rc"] == 2 for i in trials), n,
     "bad input or a failed run")


def again(i, e, thr):
    """Part e of trial i compared again at --threshold thr (kept)."""
    out = "%s/ab/%d/%s-t%s.json" % (top, i, e, thr)
    if not os.path.exists(out):
        p = subprocess.run([kerf, "compare", "--format", "json",
                            "--threshold", thr, "%s/ab/%d/%s/a" % (top, i, e),
                            "%s/ab/%d/%s/b" % (top, i, e)],
                           capture_output=True, text=True)
        with open(out + ".tmp", "w") as fh:
            fh.write(p.stdout)
        os.replace(out + ".tmp", out)
    return load(out)


for e, lab in (("p5", "+5% planted, R rounds"),
               ("p2", "+2% planted, R rounds"),
               ("p2r3", "+2% planted, 3R rounds"),
               ("p5-t1", "+5% planted, R rounds, --threshold 1"),
               ("p2-t1", "+2% planted, R rounds, --threshold 1"),
               ("p2r3-t1", "+2% planted, 3R rounds, --threshold 1")):
    cs = {i: (again(i, e[:-3], "1") if e.endswith("-t1") else cmp[i][e])
          for i in trials}
    k = sum(any(x["bench"] == "calib/spin" and x["verdict"] == "regression"
                for x in results(cs[i])) for i in trials)
    est = [x["estimate"] for i in trials for x in results(cs[i])]
    det = [x["detectable_pct"] for i in trials for x in results(cs[i])
           if x["detectable_pct"] is not None]
    line("%s called a regression" % e, k, n,
         "%s; estimate median %.4f (%.4f-%.4f), detectable median %.1f%%" % (
             lab, med(est), min(est), max(est), med(det)))
ps = aa_summary(aa)
if ps:
    print("  " + ", ".join("P(p <= %g) = %.3f" % (
        q, sum(p <= q for p in ps) / len(ps)) for q in (0.01, 0.05, 0.1, 0.5)))
print()
print("Injected change (the A/A trials' b arm x f), per result:")
print()
print("| f | regression called | of | share | median detectable % |")
print("|---|---|---|---|---|")
by = {}
for f in INJ:
    xs = [x for i in trials for x in results(injected(i, f))]
    k = sum(x["verdict"] == "regression" for x in xs)
    print("| %g | %d | %d | %.3f | %.1f |" % (
        f, k, len(xs), k / max(len(xs), 1),
        med(x["detectable_pct"] for x in xs
            if x["detectable_pct"] is not None)))
    for x in xs:
        c = by.setdefault(x["key"], {}).setdefault(f, [0, 0, []])
        c[0] += x["verdict"] == "regression"
        c[1] += 1
        if x["detectable_pct"] is not None:
            c[2].append(x["detectable_pct"])
print()
print("| result | x1.02 | x1.05 | x1.10 | median detectable % |")
print("|---|---|---|---|---|")
for k, b in by.items():
    print("| %s | %s | %.1f |" % (k, " | ".join(
        "%d/%d" % (b[f][0], b[f][1]) for f in INJ), med(b[1.1][2])))
EOF
)" "$kerf" "$dir"
}

case $cmd in
collect) collect "${3:-40}" ;;
ab) abtrials "${3:-93}" "${4:-10}" ;;
abscore) abscore | tee "$dir/summary-ab.md" ;;
analyse) analyse "${3:-4}" | tee "$dir/summary-$((${3:-4}))".md ;;
*)
	echo "gate-validation: '$cmd': expected collect, analyse, ab or abscore" >&2
	exit 2
	;;
esac
