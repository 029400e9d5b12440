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
# is scaled by FACTOR; 10 worker processes of 20 samples each, every
# process off by up to +-1% and every sample by up to +-0.5% (Park-Miller
# generator in awk, so any awk gives the same numbers).
mkrun() {
	awk -v kernel="$2" -v factor="$3" -v seed="$4" -v noise="${5:-}" '
	function rnd() { s = (s * 16807) % 2147483647; return s / 2147483647 }
	function samples(level, f,   p, i, lv, out, procs, sep) {
		out = ""; procs = ""; sep = ""
		for (p = 0; p < 10; p++) {
			lv = level * f * (1 + 0.02 * (rnd() - 0.5))
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

# A planted 10% regression: exit 1, its row says regression, the rest not.
run 1 regression "$T/base.json" "$T/slow.json"
has out 'calib/spin{work=1000}.*regression' 'regression row'
has out 'syscall/getppid .*no change' 'unchanged row'
has out 'evloop/echo{conns=8} .*no change' 'higher-is-better row'
has out 'Only in BASE: vdso/time' 'only in BASE'
has out 'Only in NEW: vdso/getcpu' 'only in NEW'
has out 'syscall/einval: BASE skip: synthetic skip' 'skip listed'
has out '1 regression, 0 improvements, 2 no change' 'summary'

# Identical runs, and an A/A pair with other noise: exit 0.
run 0 identical "$T/base.json" "$T/base.json"
has out '0 regressions, 0 improvements, 4 no change' 'identical summary'
run 0 a/a "$T/base.json" "$T/aa.json"
# Faster: an improvement, exit 0.
run 0 improvement "$T/base.json" "$T/fast.json"
has out 'calib/spin{work=1000}.*improvement' 'improvement row'

# A bench's own noise floor (noise_pct 15) hides a 10% change, unless
# --threshold is given.
run 0 noise_pct "$T/base.json" "$T/noisy.json"
has out 'calib/spin{work=1000} .*15%.*no change' 'noise_pct row'
run 1 threshold "$T/base.json" "$T/noisy.json" --threshold 3
# A huge threshold hides it too; a tiny alpha as well.
run 0 threshold-50 "$T/base.json" "$T/slow.json" --threshold 50
run 0 alpha "$T/base.json" "$T/slow.json" --alpha 1e-300

# The kernel differs: refused naming the key, unless allowed.
run 2 env-refused "$T/base.json" "$T/kern.json"
has err 'kernel: BASE 6.1.0 vs NEW 6.5.0' 'refusal names the key'
has err 'allow-env-diff' 'refusal says how'
run 0 env-allowed "$T/base.json" "$T/kern.json" --allow-env-diff kernel
has out 'kernel: BASE 6.1.0 vs NEW 6.5.0 (allowed)' 'allowed difference listed'
# An object-valued key: only the members that differ are shown.
sed 's/"enabled":"madvise"/"enabled":"always"/' "$T/aa.json" > "$T/thp.json"
run 2 env-object "$T/base.json" "$T/thp.json"
has err 'thp: BASE enabled=madvise vs NEW enabled=always' 'object key diff'
run 0 env-object-allowed "$T/base.json" "$T/thp.json" --allow-env-diff kernel,thp
# A key one run lacks (an older run) is listed, not refused.
sed 's/"governor":"performance",//' "$T/aa.json" > "$T/nogov.json"
run 0 env-absent "$T/base.json" "$T/nogov.json"
has out 'governor: BASE performance vs NEW (absent)' 'absent key listed'
run 2 env-bad-key "$T/base.json" "$T/kern.json" --allow-env-diff kernal
has err "unknown key 'kernal'" 'unknown env key named'
run 2 env-empty-list "$T/base.json" "$T/kern.json" --allow-env-diff ,

# A noise file (measured run-to-run noise) raises a bench's threshold.
printf '{"schema":"kerf.noise/1","noise_pct":{"calib/spin{work=1000}":20}}\n' > "$T/noise.json"
run 0 noise-file "$T/base.json" "$T/slow.json" --noise "$T/noise.json"
has out 'calib/spin{work=1000} .*20%.*no change' 'noise file row'
printf '{"schema":"kerf.noise/1","noise_pct":{"calib/spin{work=1000}":2}}\n' > "$T/noise2.json"
run 1 noise-low "$T/base.json" "$T/slow.json" --noise "$T/noise2.json" --format json
has out '"threshold_from": "noise_file"' 'json threshold source'
printf '{"schema":"kerf.noise/1","noise_pct":{"x":"big"}}\n' > "$T/noise3.json"
run 2 noise-bad "$T/base.json" "$T/slow.json" --noise "$T/noise3.json"
has err 'noise_pct of x is not a number' 'bad noise value named'
printf '{"schema":"kerf.noise/1",\n"noise_pct":{,}}\n' > "$T/noise4.json"
run 2 noise-corrupt "$T/base.json" "$T/slow.json" --noise "$T/noise4.json"
has err 'noise4.json:2:[0-9]*:' 'corrupt noise file: file:line:col'

# Several NEW runs: one table, a column per run, a geomean row.
run 1 several "$T/base.json" "$T/aa.json" "$T/slow.json" "$T/fast.json"
has out 'NEW3' 'column per run'
has out 'calib/spin{work=1000}  .*+[0-9.]*% R' 'regression mark'
has out 'calib/spin{work=1000}  .*-[0-9.]*% I' 'improvement mark'
has out '^geomean' 'geomean row'

# Markdown and JSON.
run 1 md "$T/base.json" "$T/slow.json" --format md
has out '^| calib/spin{work=1000} | ns/op |.*| \*\*regression\*\* |$' 'md row'
has out '^|---|---|---:' 'md separator'
run 1 json "$T/base.json" "$T/slow.json" --format json
has out '"schema": "kerf.compare/1"' 'json schema'
has out '"verdict": "regression"' 'json verdict'
has out '"exit": 1' 'json exit'
has out '"interval": "expanded"' 'json interval'
if command -v python3 > /dev/null; then
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); p=[x for x in d["new"][0]["pairs"] if x["bench"]=="calib/spin"][0]; assert p["ratio_ci95"][0] > 1.05 and p["p_holm"] < 0.05, p' "$T/out" ||
		fail "json does not parse or holds the wrong numbers"
fi

# One worker process a side: the run-to-run variance is unseen, so no
# verdict without a noise floor (noise_pct or --noise); percentile mode and
# a declared floor judge it.
sed 's/"sample_procs":\[[0-9,]*\]/"sample_procs":[]/g' "$T/base.json" > "$T/b1.json"
sed 's/"sample_procs":\[[0-9,]*\]/"sample_procs":[]/g' "$T/slow.json" > "$T/s1.json"
sed 's/"sample_procs":\[[0-9,]*\]/"sample_procs":[]/g' "$T/noisy.json" | sed 's/"noise_pct":15/"noise_pct":5/' > "$T/n1.json"
run 0 one-proc "$T/b1.json" "$T/s1.json"
has out 'calib/spin{work=1000} .*no change (1 proc)' 'one-process row'
run 1 one-proc-percentile "$T/b1.json" "$T/s1.json" --interval percentile
run 1 one-proc-noise-pct "$T/b1.json" "$T/n1.json"
run 1 one-proc-noise-file "$T/b1.json" "$T/s1.json" --noise "$T/noise2.json"

# A stressor's result has one value and no samples: listed, not compared.
sed 's/^{"bench":"syscall\/einval".*/{"bench":"memory\/anon","params":{},"unit":"s","better":"lower","status":"ok","mode":"stress","value":1.5},/' "$T/base.json" > "$T/stress.json"
run 0 stressor "$T/stress.json" "$T/stress.json"
has out 'memory/anon: no samples (mode stress)' 'stressor listed'

# Bad input: truncated, corrupt, foreign, missing, usage.
head -c 300 "$T/base.json" > "$T/trunc.json"
run 2 truncated "$T/base.json" "$T/trunc.json"
has err "trunc.json:[0-9]*:[0-9]*:" 'truncated: file:line:col'
sed '3s/,"sample_procs"/,,"sample_procs"/' "$T/base.json" > "$T/corrupt.json"
run 2 corrupt "$T/corrupt.json" "$T/base.json"
has err 'corrupt.json:3:[0-9]*:' 'corrupt: file:line:col'
echo '{"name": "not kerf"}' > "$T/foreign.json"
run 2 foreign "$T/base.json" "$T/foreign.json"
has err 'foreign.json' 'foreign: file named'
run 2 missing "$T/base.json" "$T/nonexistent.json"
has err 'nonexistent.json' 'missing: file named'
sed 's/"samples":\[[0-9.]*,/"samples":["x",/' "$T/base.json" > "$T/badsample.json"
run 2 bad-sample "$T/base.json" "$T/badsample.json"
has err 'is not a number' 'bad sample named'
run 2 unknown-option "$T/base.json" "$T/base.json" --frobnicate
has err "unknown option '--frobnicate'" 'unknown option named'
run 2 one-run "$T/base.json"
run 2 bad-threshold "$T/base.json" "$T/base.json" --threshold abc
run 2 bad-alpha "$T/base.json" "$T/base.json" --alpha 1.5
run 2 bad-format "$T/base.json" "$T/base.json" --format html
run 2 bad-interval "$T/base.json" "$T/base.json" --interval wide
run 1 percentile "$T/base.json" "$T/slow.json" --interval percentile
has out 'percentile interval' 'interval named in the header' 
run 2 no-value "$T/base.json" "$T/base.json" --alpha
run 0 help --help

[ "$fails" = 0 ] || { echo "$fails failure(s)" >&2; exit 1; }
echo "compare_cli: all checks passed"
