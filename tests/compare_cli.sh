# SPDX-License-Identifier: MIT
# kerf compare on synthetic runs: planted regression, A/A, env refusal, bad input.
set -u
: "${KERF:?KERF must name the kerf binary}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() {
	echo "FAIL: $*" >&2
	fails=$((fails + 1))
}

# mkrun FILE KERNEL FACTOR SEED [NOISE_PCT]: a kerf.run/1 file (an odd SEED
# gives vdso/time, an even one vdso/getcpu). calib/spin
# is scaled by FACTOR; the whole run by a run effect of up to +-1%; 10
# worker processes of 20 samples each, every process off by up to +-1% and
# every sample by up to +-0.5% (Park-Miller generator in awk, so any awk
# gives the same numbers).
mkrun() {
	awk -v kernel="$2" -v factor="$3" -v seed="$4" -v noise="${5:-}" '
	function rnd() { s = (s * 16807) % 2147483647; return s / 2147483647 }
	function samples(level, f,   p, i, lv, out, procs, sep) {
		out = ""; procs = ""; sep = ""
		for (p = 0; p < 10; p++) {
			lv = level * f * runf * (1 + 0.02 * (rnd() - 0.5))
			for (i = 0; i < 20; i++) {
				out = out sep sprintf("%.6f", lv * (1 + 0.01 * (rnd() - 0.5)))
				procs = procs sep p
				sep = ","
			}
		}
		return "\"samples\":[" out "],\"sample_procs\":[" procs "]"
	}
	function res(bench, params, unit, better, level, f, extra) {
		return "{\"bench\":\"" bench "\",\"params\":{" params "},\"unit\":\"" unit \
		       "\",\"better\":\"" better "\",\"status\":\"ok\",\"procs\":10," \
		       samples(level, f) extra "}"
	}
	BEGIN {
		s = seed
		rnd(); rnd()
		runf = 1 + 0.02 * (rnd() - 0.5)
		np = noise == "" ? "" : ",\"noise_pct\":" noise
		printf "{\"schema\":\"kerf.run/1\",\"tool\":{\"name\":\"kerf\",\"version\":\"0.1.0\"},"
		printf "\"started\":\"2026-11-29T05:00:00Z\",\"finished\":\"2026-11-29T05:01:00Z\","
		printf "\"env\":{\"kernel\":\"%s\",\"cpu_model\":\"Synthetic CPU\",\"thp\":{\"enabled\":\"madvise\"},\"governor\":\"performance\",\"kerf_version\":\"0.1.0\"},", kernel
		printf "\"results\":[\n"
		print res("calib/spin", "\"work\":\"1000\"", "ns/op", "lower", 1000, factor, np) ","
		print res("syscall/getppid", "", "ns/op", "lower", 60, 1, "") ","
		print res("evloop/echo", "\"conns\":\"8\"", "req/s", "higher", 250000, 1, "") ","
		printf "{\"bench\":\"syscall/einval\",\"params\":{},\"unit\":\"ns/op\",\"better\":\"lower\",\"status\":\"skip\",\"reason\":\"synthetic skip\"},\n"
		if (seed % 2)
			print res("vdso/time", "", "ns/op", "lower", 5, 1, "")
		else
			print res("vdso/getcpu", "", "ns/op", "lower", 7, 1, "")
		print "]}"
	}' > "$1"
}

mkrun "$T/base.json" 6.1.0 1.00 11
mkrun "$T/aa.json" 6.1.0 1.00 12
mkrun "$T/slow.json" 6.1.0 1.10 14
mkrun "$T/fast.json" 6.1.0 0.90 16
mkrun "$T/kern.json" 6.5.0 1.00 18
mkrun "$T/noisy.json" 6.1.0 1.10 20 15

# run EXPECTED_RC NAME ARGS...: stdout in $T/out, stderr in $T/err
run() {
	want=$1
	name=$2
	shift 2
	"$KERF" compare "$@" > "$T/out" 2> "$T/err"
	rc=$?
	if [ "$rc" != "$want" ]; then
		fail "$name: exit $rc, expected $want"
		sed 's/^/    /' "$T/out" "$T/err" >&2
	fi
}
has() { grep -q -- "$2" "$T/$1" || fail "$3: no '$2' in $1"; }
hasf() { grep -qF -- "$2" "$T/$1" || fail "$3: no '$2' in $1"; }
hasnt() { ! grep -q -- "$2" "$T/$1" || fail "$3: '$2' in $1"; }

# Runs a side: odd seeds (vdso/time), BASE b1..b5, A/A a1..a5, +10% s1..s5.
for i in 1 2 3 4 5; do
	mkrun "$T/b$i.json" 6.1.0 1.00 $((100 + 2 * i + 1))
	mkrun "$T/a$i.json" 6.1.0 1.00 $((200 + 2 * i + 1))
	mkrun "$T/s$i.json" 6.1.0 1.10 $((300 + 2 * i + 1))
done
B="$T/b1.json $T/b2.json $T/b3.json $T/b4.json $T/b5.json"
A="$T/a1.json $T/a2.json $T/a3.json $T/a4.json $T/a5.json"
S="$T/s1.json $T/s2.json $T/s3.json $T/s4.json $T/s5.json"

# One run a side is insufficient replication (exit 2) unless told.
run 2 single "$T/b1.json" "$T/s1.json"
has out 'insufficient replication' 'single run said'
run 1 single-allowed "$T/b1.json" "$T/s1.json" --allow-single-run
has out 'calib/spin{work=1000} .*sample .*regression' 'sample-level row'

# Several runs a side: the run level, max-T over permutations of runs.
# shellcheck disable=SC2086
run 1 runs-regression $B -- $S
has out 'calib/spin{work=1000} .*run .*5/5.*regression' 'run-level regression'
has out 'syscall/getppid .*no change' 'unchanged row'
has out 'evloop/echo{conns=8} .*no change' 'higher-is-better row'
has out 'max-T, permutations of whole runs' 'method named'
has out 'syscall/einval: not compared: BASE skip: synthetic skip' 'skip listed'
# shellcheck disable=SC2086
run 0 runs-aa $B -- $A
has out '0 regressions, 0 improvements, 4 no change' 'A/A summary'
# Three a side: too few permutations, Holm over t-tests, said.
run 1 runs-3 "$T/b1.json" "$T/b2.json" "$T/b3.json" -- "$T/s1.json" "$T/s2.json" "$T/s3.json"
has out 'Holm over t-tests (too few units' 'Holm fallback said'
# A huge threshold hides it; a tiny alpha too.
# shellcheck disable=SC2086
run 0 threshold-50 $B -- $S --threshold 50
# shellcheck disable=SC2086
run 0 alpha $B -- $S --alpha 1e-9

# Fail closed (issue 12): NEW cannot excuse itself.
sed 's/"better":"lower","status":"ok","procs":10/&,"noise_pct":1e9/' "$T/s1.json" > "$T/sx.json"
# shellcheck disable=SC2086
run 1 new-noise-pct $B -- "$T/sx.json" $T/s2.json $T/s3.json $T/s4.json $T/s5.json
has out 'calib/spin{work=1000} .*3%.*regression' 'NEW noise_pct ignored'
sed 's/"work":"1000"},"unit":"ns\/op","better":"lower","status":"ok"/"work":"1000"},"unit":"ns\/op","better":"lower","status":"error","reason":"it broke"/' "$T/a1.json" > "$T/err.json"
# shellcheck disable=SC2086
run 1 new-failed $B -- "$T/err.json" $T/a2.json $T/a3.json $T/a4.json $T/a5.json
has out 'calib/spin{work=1000}: failed: NEW error: it broke' 'failure said'
# shellcheck disable=SC2086
run 0 new-failed-allowed $B -- "$T/err.json" $T/a2.json $T/a3.json $T/a4.json $T/a5.json --allow-missing
mkrun "$T/even.json" 6.1.0 1.00 222
# shellcheck disable=SC2086
run 1 new-missing $B -- "$T/even.json" $T/a2.json $T/a3.json $T/a4.json $T/a5.json
has out 'vdso/time: missing: missing from 1 of 5 NEW runs' 'missing said'
has out 'Only in NEW: vdso/getcpu' 'only in NEW'
sed 's/"governor":"performance",//' "$T/a1.json" > "$T/nogov.json"
# shellcheck disable=SC2086
run 2 env-absent $B -- "$T/nogov.json" $T/a2.json
has err 'governor: BASE performance vs (absent)' 'absent key refuses'
# No sample_procs: at the sample level it is compared as it is, and said.
sed 's/,"sample_procs":\[[0-9,]*\]//g' "$T/b1.json" > "$T/np1.json"
sed 's/,"sample_procs":\[[0-9,]*\]//g' "$T/s1.json" > "$T/np2.json"
run 1 no-procs "$T/np1.json" "$T/np2.json" --allow-single-run
has out 'no sample_procs: samples taken as independent' 'no process structure said'

# The rounds of one kerf ab (kerf.run/2, config.arm): paired by round.
if command -v python3 > /dev/null; then
	for i in 1 2 3 4 5 6 7 8 9 10; do
		mkrun "$T/ra$i.json" 6.1.0 1.00 $((600 + 2 * i + 1))
		mkrun "$T/rb$i.json" 6.1.0 1.05 $((700 + 2 * i + 1))
	done
	merge() { # OUT ARM RUN...: the runs as the rounds of one run
		python3 - "$@" << 'EOF'
import json, sys
out, arm, runs = sys.argv[1], sys.argv[2], sys.argv[3:]
ds = [json.load(open(r)) for r in runs]
d = ds[0]
d["schema"] = "kerf.run/2"
d["config"] = {"rounds": len(ds), "arm": {"name": arm}}
for j, res in enumerate(d["results"]):
    if "samples" not in res:
        continue
    s, sr, sp = [], [], []
    for k, e in enumerate(ds):
        q = e["results"][j]
        s += q["samples"]
        sr += [k] * len(q["samples"])
        sp += [10 * k + p for p in q["sample_procs"]]
    res.update(samples=s, sample_rounds=sr, sample_procs=sp)
json.dump(d, open(out, "w"))
EOF
	}
	merge "$T/abA.json" a "$T"/ra[0-9]*.json
	merge "$T/abB.json" b "$T"/rb[0-9]*.json
	run 1 ab-paired "$T/abA.json" "$T/abB.json"
	has out 'design: round-paired, 10 rounds' 'paired design'
	has out 'max-T, sign flips of whole rounds' 'sign-flip method'
	has out 'calib/spin{work=1000} .*round .*10/10.*regression' 'paired regression'
	run 0 ab-aa "$T/abA.json" "$T/abA.json"
	# Without config.arm they are two runs, one a side: not paired.
	sed 's/"arm": {"name": "b"}/"x": 1/' "$T/abB.json" > "$T/abC.json"
	run 2 ab-unmarked "$T/abA.json" "$T/abC.json"
fi

# The environment: refused naming the key, unless allowed.
mkrun "$T/kern.json" 6.5.0 1.00 401
run 2 env-refused "$T/b1.json" "$T/b2.json" -- "$T/kern.json" "$T/a2.json"
has err 'kernel: BASE 6.1.0 vs 6.5.0' 'refusal names the key'
has err 'allow-env-diff' 'refusal says how'
run 0 env-allowed "$T/b1.json" "$T/b2.json" -- "$T/kern.json" "$T/a2.json" --allow-env-diff kernel
has out 'kernel: BASE 6.1.0 vs 6.5.0 in .*(allowed)' 'allowed difference listed'
run 2 env-bad-key "$T/b1.json" "$T/kern.json" --allow-env-diff kernal
has err "unknown key 'kernal'" 'unknown env key named'

# --history: the matching runs of DIR are BASE; the other kernel is not.
mkdir -p "$T/hist/k"
for i in 1 2 3 4 5; do
	mkdir -p "$T/hist/r$i"
	cp "$T/b$i.json" "$T/hist/r$i/run.json"
done
cp "$T/kern.json" "$T/hist/k/run.json"
run 1 history --history "$T/hist" "$T/s1.json" "$T/s2.json"
has out 'calib/spin{work=1000} .*5/2.*regression' 'history regression'
run 0 history-aa --history "$T/hist" "$T/a1.json" "$T/a2.json" --last 4
has out 'design: run, 4 BASE vs 2 NEW' 'history --last'
mkrun "$T/kern7.json" 6.7.0 1.00 403
run 2 history-none --history "$T/hist" "$T/kern7.json"
has err 'no run there matches' 'history mismatch said'

# A kerf.noise/2 file gives one run a side its run-level spread.
printf '{"schema":"kerf.noise/2","sd_log":{"calib/spin{work=1000}":0.01,"syscall/getppid{}":0.01,"evloop/echo{conns=8}":0.01,"vdso/time{}":0.01}}\n' > "$T/noise.json"
run 1 noise2 "$T/b1.json" "$T/s1.json" --noise "$T/noise.json"
has out 'calib/spin{work=1000} .*run/noise.*regression' 'noise-level row'
printf '{"schema":"kerf.noise/2","sd_log":{"x":"big"}}\n' > "$T/noise3.json"
run 2 noise-bad "$T/b1.json" "$T/s1.json" --noise "$T/noise3.json"
has err 'sd_log of x is not a number' 'bad noise value named'
printf '{"schema":"kerf.noise/1",\n"noise_pct":{,}}\n' > "$T/noise4.json"
run 2 noise-corrupt "$T/b1.json" "$T/s1.json" --noise "$T/noise4.json"
has err 'noise4.json:2:[0-9]*:' 'corrupt noise file: file:line:col'

# Several NEW columns against one BASE (sample level: allowed).
mkrun "$T/fast.json" 6.1.0 0.90 501
run 1 several "$T/b1.json" "$T/a1.json" "$T/s1.json" "$T/fast.json" --allow-single-run
has out 'NEW3' 'column per run'
has out 'calib/spin{work=1000}  .*+[0-9.]*% (d [0-9.]*%) R' 'regression mark'
has out 'calib/spin{work=1000}  .*-[0-9.]*% (d [0-9.]*%) I' 'improvement mark'

# Markdown and JSON; hostile strings are escaped in one place.
# shellcheck disable=SC2086
run 1 md $B -- $S --format md
has out '^| calib/spin{work=1000} | ns/op | run |.*| regression |$' 'md row'
has out '^|---|---|---|---:' 'md separator'
# shellcheck disable=SC2086
run 1 json $B -- $S --format json
has out '"schema": "kerf.compare/2"' 'json schema'
has out '"verdict": "regression"' 'json verdict'
has out '"exit": 1' 'json exit'
if command -v python3 > /dev/null; then
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); c=d["columns"][0]; r=[x for x in c["results"] if x["bench"]=="calib/spin"][0]; assert r["ci"][0] > 1.05 and r["p_adj"] < 0.05 and r["level"] == "run" and r["n_base"] == 5 and c["design"]["base_runs"] == 5 and c["seed"], r' "$T/out" ||
		fail "json does not parse or holds the wrong numbers"
fi
printf 'x|y`z\033]52;c;aGk=\007*_[a]<b>\\' > "$T/evil"
evil=$(cat "$T/evil")
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["results"][1]["bench"]=sys.argv[2]; json.dump(d,open(sys.argv[3],"w"))' "$T/b1.json" "$evil" "$T/e1.json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["results"][1]["bench"]=sys.argv[2]; json.dump(d,open(sys.argv[3],"w"))' "$T/s1.json" "$evil" "$T/e2.json"
run 1 evil-md "$T/e1.json" "$T/e2.json" --allow-single-run --format md
hasf out 'x\|y\`z\*\_\[a\]\<b\>\\' 'md escaped'
hasnt out '52;c;' 'the OSC 52 sequence (clipboard write) reached the output'
run 1 evil-text "$T/e1.json" "$T/e2.json" --allow-single-run
hasnt out "$(printf '\033')" 'escape character reached the terminal'
hasf out 'x|y`z*_[a]<b>' 'text kept the printable part'

# A stressor's result has one value and no samples: not compared.
sed 's/^{"bench":"syscall\/einval".*/{"bench":"memory\/anon","params":{},"unit":"s","better":"lower","status":"ok","mode":"stress","value":1.5},/' "$T/b1.json" > "$T/stress.json"
run 0 stressor "$T/stress.json" "$T/stress.json" "$T/stress.json" -- "$T/stress.json"
has out 'memory/anon: not compared: no samples (mode stress)' 'stressor listed'

# Bad input: truncated, corrupt, foreign, missing, usage.
head -c 300 "$T/b1.json" > "$T/trunc.json"
run 2 truncated "$T/b1.json" "$T/trunc.json"
has err "trunc.json:[0-9]*:[0-9]*:" 'truncated: file:line:col'
echo '{"name": "not kerf"}' > "$T/foreign.json"
run 2 foreign "$T/b1.json" "$T/foreign.json"
has err 'foreign.json' 'foreign: file named'
run 2 missing "$T/b1.json" "$T/nonexistent.json"
has err 'nonexistent.json' 'missing: file named'
sed 's/"samples":\[[0-9.]*,/"samples":["x",/' "$T/b1.json" > "$T/badsample.json"
run 2 bad-sample "$T/b1.json" "$T/badsample.json" --allow-single-run
has err 'is not a number' 'bad sample named'
run 2 unknown-option "$T/b1.json" "$T/b1.json" --frobnicate
has err "unknown option '--frobnicate'" 'unknown option named'
run 2 one-run "$T/b1.json"
run 2 empty-side "$T/b1.json" --
run 2 bad-threshold "$T/b1.json" "$T/b1.json" --threshold abc
run 2 bad-alpha "$T/b1.json" "$T/b1.json" --alpha 1.5
run 2 bad-format "$T/b1.json" "$T/b1.json" --format html
run 2 bad-last --history "$T/hist" "$T/s1.json" --last 0
run 2 no-value "$T/b1.json" "$T/b1.json" --alpha
run 0 help --help

# A crafted sample_procs (half the samples in one process, the rest one
# each) would make the bootstrap pool quadratic: refused, exit 2, said.
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); r=d["results"][0]; n=200000; r["samples"]=[1.0+i*1e-6 for i in range(n)]; r["sample_procs"]=[0]*(n//2)+list(range(1,n//2+1)); json.dump(d,open(sys.argv[2],"w"))' "$T/b1.json" "$T/quad.json"
run 2 quadratic-pool "$T/quad.json" "$T/b2.json" --allow-single-run
has err 'refusing a bootstrap of' 'the pool refusal names what and why'

[ "$fails" = 0 ] || { echo "$fails failure(s)" >&2; exit 1; }
echo "compare_cli: all checks passed"
