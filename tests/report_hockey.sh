#!/bin/bash
# SPDX-License-Identifier: MIT
# kerf report of an open-loop rate sweep (synthetic, shaped like evloop's
# run.json): the hockey stick has one p50/p99/p99.9 line per mechanism,
# the slo target as a horizontal line, each knee as the knee code finds it
# (or as run.json's derived figures say), client-bound points hollow, and
# sent against offered with y = x; gnuplot draws both; hostile names stay
# inert strings.
set -u
if ! command -v gnuplot >/dev/null; then
	echo "skip: needs gnuplot: apt-get install -y gnuplot-nox"
	exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0

# mk OUT [derived|evil]: the fixture. epoll meets 1 ms up to 16000 (knee
# 16000, fails at 32000); io_uring mode=poll up to 8000; mode=recv up to
# 16000, its 32000 client-bound and missing.
python3 - "$work" "${1:-}" <<'PY'
import json, sys
out = sys.argv[1]
lat = {  # p99 in us per rate
    ("evloop/epoll", None): [60, 70, 90, 400, 5000],
    ("evloop/io_uring", "poll"): [50, 60, 700, 3000, 9000],
    ("evloop/io_uring", "recv"): [50, 55, 80, 300, 2000],
}
rates = [2000, 4000, 8000, 16000, 32000]

def result(bench, mode, rate, p99):
    params = {"transport": "tcp", "conns": "1", "load": "open",
              "rate": str(rate), "slo": "p99:1ms", "arrival": "const"}
    if mode:
        params["mode"] = mode
    client = mode == "recv" and rate == 32000
    m = {"latency_p50": p99 * 400, "latency_p99": p99 * 1e3,
         "latency_p99.9": p99 * 3e3, "latency_slo": p99 * 1e3,
         "rate_offered": rate, "rate_sent": rate * (0.6 if client else 1),
         "slo_met": float(p99 <= 1000)}
    return {"bench": bench, "params": params, "unit": "req/s",
            "status": "ok", "stats": {"n": 3, "median": rate * 0.99,
                                      "ci95": [rate * 0.98, rate]},
            "metrics": {k: {"unit": "ns", "value": v} for k, v in m.items()},
            "info": {"bottleneck": "client" if client else "none",
                     "server_pu": "1"}}

res = [result(b, m, r, l) for (b, m), ls in lat.items()
       for r, l in zip(rates, ls)]
# a closed-loop result of the family: not on the hockey stick
closed = result("evloop/epoll", None, 4000, 60)
closed["params"]["load"] = "closed"
res.append(closed)
run = {"schema": "kerf.run/1", "results": res}
json.dump(run, open(out + "/plain.json", "w"))
# derived figures in run.json win over the knee code (here: made up)
key = "knee:evloop/epoll{arrival=const,conns=1,load=open,slo=p99:1ms,transport=tcp}"
run["derived"] = {key: {"knee": 4000, "above": 8000, "nonmonotone": True,
                        "failed_below": [2000],
                        "points": [[4000, 70e3, True, False],
                                   [8000, 90e3, False, False]]}}
json.dump(run, open(out + "/derived.json", "w"))
del run["derived"]
for r in res:
    if r["params"].get("mode") == "poll":
        r["params"]["mode"] = "p'`touch " + out + "/pwned`\"x"
        r["bench"] = "evloop/io_uring\nset output '" + out + "/pwned'"
json.dump(run, open(out + "/evil.json", "w"))
PY

# has WHAT FILE TEXT: FILE holds TEXT
has() {
	if grep -qF -- "$3" "$2"; then
		echo "ok: $1"
	else
		echo "FAIL: $1: no '$3' in $2"; fail=1
	fi
}
"$KERF" report "$work/plain.json" -o "$work/one" >"$work/out" 2>"$work/err"
rc=$?
if [ $rc -ne 0 ] || [ -s "$work/err" ]; then
	echo "FAIL: kerf report exited $rc"; cat "$work/err"; fail=1
fi
python3 "$KERF_TESTS/report_check.py" "$work/one" \
	"evloop-hockey,evloop-hockey-sent" || fail=1
gp=$work/one/plots/evloop-hockey.gp
dat=$work/one/plots/evloop-hockey.dat
has "log axes" $gp "set logscale xy"
has "epoll line, its knee from the knee code" $gp \
	"title 'evloop/epoll: knee 16000 req/s, fails at 32000'"
has "io_uring poll line" $gp \
	"title 'evloop/io_uring mode=poll: knee 8000 req/s, fails at 16000'"
has "io_uring recv line" $gp \
	"title 'evloop/io_uring mode=recv: knee 16000 req/s, fails at 32000'"
has "the target line at 1000 us" $gp "1000 with lines"
has "the target's title" $gp "title 'target: p99 <= 1 ms'"
has "knees marked" $gp "title 'knee: the highest rate meeting the target'"
has "hollow points said in the legend" $gp "title 'hollow: client-bound"
has "hollow points drawn" $gp 'using 1:($6 > 0 ? $3 : 1/0) with points'
has "y = x on sent against offered" $work/one/plots/evloop-hockey-sent.gp \
	"x with lines lc rgb \"#333333\" dt 2"
has "caption says hollow" $work/one/index.html "hollow: client-bound"
# the data: three lines of five points, three knees, one client point
python3 - "$dat" <<'PY' || fail=1
import sys
blocks = open(sys.argv[1]).read().split("\n\n\n")
rows = [[l.split() for l in b.splitlines() if l and l[0] != "#"]
        for b in blocks]
lines, knees = rows[:-1], rows[-1]
bad = 0
if [len(l) for l in lines] != [5, 5, 5]:
    print("FAIL: lines", [len(l) for l in lines]); bad = 1
kx = sorted((float(k[0]), float(k[1])) for k in knees)
if kx != [(8000, 700), (16000, 300), (16000, 400)]:
    print("FAIL: knees", kx); bad = 1
client = [(l[0], l[5]) for b in lines for l in b if l[5] == "1"]
if client != [("32000", "1")]:
    print("FAIL: client-bound rows", client); bad = 1
p99 = [float(b[4][2]) for b in lines]
if sorted(p99) != [2000, 5000, 9000]:
    print("FAIL: p99 at 32000 in us", p99); bad = 1
print("ok: data: 3 lines x 5 points, knees", kx) if not bad else None
sys.exit(bad)
PY
[ -e "$work/one/plots/evloop-hockey-2.gp" ] &&
	{ echo "FAIL: a second hockey plot for the closed result"; fail=1; }

"$KERF" report "$work/derived.json" -o "$work/der" >/dev/null 2>&1 ||
	{ echo "FAIL: report with derived knees"; fail=1; }
has "the knee from run.json's derived figures" \
	$work/der/plots/evloop-hockey.gp \
	"title 'evloop/epoll: knee 4000 req/s, fails at 8000; failed below it too'"

"$KERF" report "$work/evil.json" -o "$work/evil" >/dev/null 2>&1
if [ ! -s "$work/evil/plots/evloop-hockey.svg" ] || [ -e "$work/pwned" ] ||
   grep -v '^#' "$work"/evil/plots/evloop-hockey*.gp | grep -q '"[^"]*`'; then
	echo "FAIL: hostile names: no plot, a command ran, or a backquote in a double-quoted string"; fail=1
else
	echo "ok: hostile names drawn as inert strings"
fi
grep -q "^set output '$work/pwned'" "$work"/evil/plots/evloop-hockey*.gp &&
	{ echo "FAIL: a newline in a name became a gnuplot command"; fail=1; }
exit $fail
