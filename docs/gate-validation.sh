#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Measures the gate's false-alarm and detection rates on this machine.
#
# usage: docs/gate-validation.sh [-n PAIRS] [-e "EXPERIMENTS"] [-k KERF]
#                                [-o DIR] [-c "RULES"] [-N CAL] [-r]
#
# Each pair is two separate `kerf run --quick` runs (BASE, then NEW) and one
# `kerf compare BASE NEW --format json`, as a CI job would do them. The
# experiments (all by default) are interleaved pair by pair, so the
# machine's mood at any moment falls on all of them alike:
#   aa-suite   A/A, the whole default suite: every flagged change is false
#   aa-subset  A/A, `kerf run syscall vdso calib`
#   planted5   calib/spin work=1000 (BASE) vs work=1050 (NEW): +5%
#   planted2   calib/spin work=1000 vs work=1020: +2%
#   real       vdso/clock_gettime clock=process_cputime, via=syscall (BASE)
#              vs via=vdso (NEW): the same system call, reached through the
#              vDSO's fallback, a few ns more on a ~200 ns call
# For the last three the NEW run's parameters are relabelled to BASE's
# (python3) so that kerf compare pairs them. Every pair is compared with the
# default options and with each of RULES, sets of `kerf compare` options
# separated by ';' (default "--threshold 1;--threshold 5;--interval
# percentile").
# With -N CAL, the first CAL A/A pairs of aa-suite calibrate: the spread of
# each result's median over their 2 x CAL runs gives its run-to-run noise
# floor (DIR/noise.json, schema kerf.noise/1: 100 (exp(t sqrt(2) sd) - 1),
# sd of the log medians, t the Student quantile at 1 - 0.05 / (2 K) for K
# results, so that the suite as a whole stays under 5%), and every
# experiment is scored again on the pairs after CAL with `--noise` (held
# out: the pairs that calibrate are not scored).
# A confirmation rule is also scored: a pair counts only when the same result
# is flagged again against a second NEW run (the next pair's NEW), what a CI
# job does when it re-runs NEW once after exit 1 and keeps the verdict only
# if it repeats.
# The summary table goes to DIR/summary.md and stdout; the runs stay in DIR.
# -r re-analyses the runs already in DIR (no new runs): only the comparisons.
# KERF_RUN_ARGS adds options to every `kerf run` (say "--procs 10").
set -eu

pairs=20
exps="aa-suite aa-subset planted5 planted2 real"
kerf=${KERF:-build/kerf}
out=""
rules="--threshold 1;--threshold 5;--interval percentile"
reanalyse=0
cal=0
while getopts "n:e:k:o:c:N:rh" opt; do
	case $opt in
	n) pairs=$OPTARG ;;
	e) exps=$OPTARG ;;
	k) kerf=$OPTARG ;;
	o) out=$OPTARG ;;
	c) rules=$OPTARG ;;
	r) reanalyse=1 ;;
	N) cal=$OPTARG ;;
	*)
		sed -n '3,6p' "$0" >&2
		exit 2
		;;
	esac
done
case $pairs in
'' | *[!0-9]*)
	echo "gate-validation: -n '$pairs': expected a count of pairs" >&2
	exit 2
	;;
esac
case $cal in
'' | *[!0-9]*)
	echo "gate-validation: -N '$cal': expected a count of pairs" >&2
	exit 2
	;;
esac
if [ "$cal" -gt 0 ] && { [ "$cal" -lt 2 ] || [ "$cal" -ge "$pairs" ]; }; then
	echo "gate-validation: -N $cal: expected 2 <= CAL < PAIRS ($pairs)" >&2
	exit 2
fi
for e in $exps; do
	case $e in
	aa-suite | aa-subset | planted5 | planted2 | real) ;;
	*)
		echo "gate-validation: unknown experiment '$e' (aa-suite aa-subset planted5 planted2 real)" >&2
		exit 2
		;;
	esac
done
[ -x "$kerf" ] || {
	echo "gate-validation: no kerf binary at '$kerf' (build first, or -k)" >&2
	exit 2
}
command -v python3 > /dev/null || {
	echo "gate-validation: python3 is needed for relabelling and the summary" >&2
	exit 2
}
if [ "$reanalyse" = 1 ] && [ ! -d "$out" ]; then
	echo "gate-validation: -r needs -o DIR holding earlier runs" >&2
	exit 2
fi
[ -n "$out" ] || out=$(mktemp -d /tmp/kerf-gate-validation.XXXXXX)
mkdir -p "$out"

# The runs of one experiment: BASE args, NEW args, and how to relabel.
run_args() {
	case $1 in
	aa-suite) echo "|" ;;
	aa-subset) echo "syscall vdso calib|syscall vdso calib" ;;
	planted5) echo "calib/spin -p work=1000|calib/spin -p work=1050" ;;
	planted2) echo "calib/spin -p work=1000|calib/spin -p work=1020" ;;
	real) echo "vdso/clock_gettime -p clock=process_cputime -p via=syscall|vdso/clock_gettime -p clock=process_cputime -p via=vdso" ;;
	esac
}

relabel() { # FILE: give every result of NEW the parameters of BASE
	python3 - "$1" "$2" << 'EOF'
import json, sys
new, base = sys.argv[1], sys.argv[2]
b = json.load(open(base))
n = json.load(open(new))
for rb, rn in zip(b["results"], n["results"]):
    rn["params"] = rb["params"]
json.dump(n, open(new, "w"))
EOF
}

echo "gate-validation: $pairs pairs of: $exps; runs in $out" >&2
[ "$reanalyse" = 1 ] || echo "kerf run --quick ${KERF_RUN_ARGS:-}; $(date -u +%FT%TZ); load: $(cut -d' ' -f1-3 /proc/loadavg)" > "$out/conditions"
for i in $(seq 1 "$pairs"); do
	for e in $exps; do
		d=$out/$e/$i
		mkdir -p "$d"
		args=$(run_args "$e")
		if [ "$reanalyse" = 0 ]; then
			# shellcheck disable=SC2086
			"$kerf" run --quick ${KERF_RUN_ARGS:-} ${args%%|*} --out "$d/base" > "$d/base.log" 2>&1 || true
			# shellcheck disable=SC2086
			"$kerf" run --quick ${KERF_RUN_ARGS:-} ${args#*|} --out "$d/new" > "$d/new.log" 2>&1 || true
			case $e in
			planted* | real) relabel "$d/new/run.json" "$d/base/run.json" ;;
			esac
		fi
		rc=0
		"$kerf" compare "$d/base" "$d/new" --format json > "$d/cmp.json" 2> "$d/cmp.err" || rc=$?
		echo "$rc" > "$d/cmp.rc"
		rm -f "$d"/cmp-r*.json
		r=0
		while IFS= read -r rule; do
			[ -n "$rule" ] || continue
			r=$((r + 1))
			# shellcheck disable=SC2086
			"$kerf" compare "$d/base" "$d/new" $rule --format json > "$d/cmp-r$r.json" 2> /dev/null || true
		done <<< "${rules//;/$'\n'}"
		if [ "$reanalyse" = 0 ]; then
			echo "pair $i $e: exit $rc (load $(cut -d' ' -f1 /proc/loadavg))" >&2
		else
			echo "pair $i $e: exit $rc" >&2
		fi
	done
done
# Calibration: noise floors from the first $cal A/A pairs of aa-suite.
if [ "$cal" -gt 0 ] && [ -d "$out/aa-suite" ]; then
	python3 - "$out" "$cal" << 'EOF' > "$out/noise.json"
import json, math, statistics, sys
out, cal = sys.argv[1], int(sys.argv[2])

def tq(p, df):
    """Student's t quantile: Cornish-Fisher expansion (as kerf's C code)."""
    z = statistics.NormalDist().inv_cdf(p)
    return (z + (z**3 + z) / (4 * df) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)
            + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * df**3)
            + (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / (92160 * df**4))

logs = {}
for i in range(1, cal + 1):
    for side in ("base", "new"):
        try:
            run = json.load(open(f"{out}/aa-suite/{i}/{side}/run.json"))
        except (OSError, ValueError):
            continue
        for r in run["results"]:
            med = r.get("stats", {}).get("median") if r.get("status") == "ok" else None
            if med and med > 0:
                key = r["bench"] + "{" + ",".join(f"{k}={v}" for k, v in sorted(r["params"].items())) + "}"
                logs.setdefault(key, []).append(math.log(med))
logs = {k: v for k, v in logs.items() if len(v) >= 3}
q = 1 - 0.05 / (2 * max(1, len(logs)))
noise = {k: round(100 * (math.exp(tq(q, len(v) - 1) * math.sqrt(2) * statistics.stdev(v)) - 1), 2)
         for k, v in sorted(logs.items())}
json.dump({"schema": "kerf.noise/1", "runs": 2 * cal, "results": len(noise),
           "quantile": q, "noise_pct": noise}, sys.stdout, indent=1)
EOF
	for e in $exps; do
		for i in $(seq $((cal + 1)) "$pairs"); do
			"$kerf" compare "$out/$e/$i/base" "$out/$e/$i/new" --noise "$out/noise.json" --format json > "$out/$e/$i/cmp-noise.json" 2> /dev/null || true
		done
	done
fi

# Confirmation: BASE of pair i against NEW of pair i + 1.
for e in $exps; do
	for i in $(seq 1 $((pairs - 1))); do
		"$kerf" compare "$out/$e/$i/base" "$out/$e/$((i + 1))/new" --format json > "$out/$e/$i/confirm.json" 2> /dev/null || true
	done
done

python3 - "$out" "$pairs" "$rules" "$cal" $exps << 'EOF' | tee "$out/summary.md"
import json, os, statistics as st, sys
out, pairs, cal, exps = sys.argv[1], int(sys.argv[2]), int(sys.argv[4]), sys.argv[5:]
rules = [r.strip() for r in sys.argv[3].split(";") if r.strip()]
target = {"planted5": "calib/spin", "planted2": "calib/spin",
          "real": "vdso/clock_gettime"}

def load(p):
    try:
        return json.load(open(p))
    except (OSError, ValueError):
        return None

print("| experiment | pairs | rule | gate fails (exit 1) | any change flagged | regression found |")
print("|---|---:|---|---:|---:|---:|")
detail = []

def regs(c):
    return {p["key"] for p in c["new"][0]["pairs"] if p["verdict"] == "regression"}
for e in exps:
    scored = [("default", "cmp.json", 1)] + [(r, f"cmp-r{i + 1}.json", 1) for i, r in enumerate(rules)]
    if cal:
        scored += [(f"default, pairs {cal + 1}..{pairs}", "cmp.json", cal + 1),
                   (f"--noise (calibrated on pairs 1..{cal}), pairs {cal + 1}..{pairs}", "cmp-noise.json", cal + 1)]
    for rule, fn, first in scored:
        n = fails = flagged = found = 0
        utest = 0
        for i in range(first, pairs + 1):
            c = load(os.path.join(out, e, str(i), fn))
            if not c:
                continue
            n += 1
            ps = c["new"][0]["pairs"]
            fails += c["regression"]
            flagged += any(p["verdict"] != "no change" for p in ps)
            utest += any(p["p_holm"] is not None and p["p_holm"] < c["alpha"] for p in ps)
            if e in target:
                found += any(p["bench"] == target[e] and p["verdict"] == "regression" for p in ps)
        f = f"{found}/{n}" if e in target else "-"
        print(f"| {e} | {n} | {rule} | {fails}/{n} | {flagged}/{n} | {f} |")
        if rule == "default":
            detail.append((e, n, utest))
    # The confirmation rule: flagged against two NEW runs.
    n = fails = found = 0
    for i in range(1, pairs):
        a = load(os.path.join(out, e, str(i), "cmp.json"))
        b = load(os.path.join(out, e, str(i), "confirm.json"))
        if not a or not b:
            continue
        n += 1
        both = regs(a) & regs(b)
        fails += bool(both)
        if e in target:
            found += any(k.startswith(target[e] + "{") for k in both)
    f = f"{found}/{n}" if e in target else "-"
    print(f"| {e} | {n} | default, confirmed by a 2nd NEW | {fails}/{n} | - | {f} |")

print()
print("U test alone (Holm p < alpha on some pair, no interval rule), same pairs:")
print()
for e, n, u in detail:
    print(f"- {e}: {u}/{n}")

# Which benches raised the false alarms, and how noisy they were.
for e in exps:
    if not e.startswith("aa"):
        continue
    flags, cvs, ratios = {}, {}, {}
    for i in range(1, pairs + 1):
        c = load(os.path.join(out, e, str(i), "cmp.json"))
        if not c:
            continue
        for p in c["new"][0]["pairs"]:
            ratios.setdefault(p["key"], []).append(p["ratio"])
            if p["verdict"] != "no change":
                flags.setdefault(p["key"], []).append(
                    f"{p['verdict'][:3]} {p['ratio']:.3f} [{p['ratio_ci95'][0]:.3f}, {p['ratio_ci95'][1]:.3f}]")
        for side in ("base", "new"):
            r = load(os.path.join(out, e, str(i), side, "run.json"))
            for res in (r or {}).get("results", []):
                cv = res.get("stats", {}).get("cv")
                if cv is not None:
                    key = res["bench"] + "{" + ",".join(f"{k}={v}" for k, v in sorted(res["params"].items())) + "}"
                    cvs.setdefault(key, []).append(cv)
    print()
    print(f"{e}: flagged pairs by bench (verdict, ratio, interval), median CV in a run, spread of the A/A ratio (min..max):")
    print()
    print("| result | flags | median CV | A/A ratio min..max |")
    print("|---|---|---:|---|")
    for k in sorted(ratios):
        r = [x for x in ratios[k] if x is not None]
        cv = st.median(cvs[k]) * 100 if k in cvs else float("nan")
        fl = "; ".join(flags.get(k, [])) or "-"
        print(f"| {k} | {fl} | {cv:.1f}% | {min(r):.3f}..{max(r):.3f} |")
EOF
