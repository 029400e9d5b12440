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

analyse() {
	num K "$1"
	command -v python3 > /dev/null || {
		echo "gate-validation: python3 is needed for the analysis" >&2
		exit 2
	}
	python3 - "$kerf" "$dir" "$1" << 'EOF'
import glob, json, math, os, subprocess, sys

kerf, top, K = sys.argv[1], sys.argv[2], int(sys.argv[3])
done = set(int(os.path.basename(os.path.dirname(d)))
           for d in glob.glob(top + "/slot/*/done"))
slots = []
while len(slots) + 1 in done:  # contiguous slots only
    slots.append(len(slots) + 1)
ntr = len(slots) // K
INJ = (1.02, 1.05, 1.10)


def load(p):
    with open(p) as f:
        return json.load(f)


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


def flagged(d):
    return [x for x in results(d)
            if x["verdict"] in ("regression", "improvement")]


def line(name, k, n, what):
    lo, hi = cp(k, n) if n else (float("nan"),) * 2
    print("| %s | %d / %d | [%.3f, %.3f] | %s |" % (name, k, n, lo, hi, what))


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
        print("A/A per-result p: %d values, KS D = %.3f (5%% critical value for "
              "independent p: %.3f; the p of one trial are correlated)" % (
                  len(ps), D, 1.36 / math.sqrt(len(ps))))
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
}

case $cmd in
collect) collect "${3:-40}" ;;
analyse) analyse "${3:-4}" | tee "$dir/summary-$((${3:-4}))".md ;;
*)
	echo "gate-validation: '$cmd': expected collect or analyse" >&2
	exit 2
	;;
esac
