#!/bin/bash
# SPDX-License-Identifier: MIT
# evloop open load: percentiles in order, latency counted from the intended
# send time (overload: the tail grows with the run, not with the window),
# a spinning client's spin not counted as its work,
# and who held the rate back (a bad slo= is a usage error: plan_check).
set -u
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
run() {
	local tag=$1
	shift
	"$KERF" run evloop/epoll --procs 1 --samples 3 -p conns=1,4 \
		-p load=open "$@" --out "$out/$tag" >"$out/$tag.log" 2>&1
	echo "$tag: kerf exit $?"
}
# Far below what a server takes, and far above (10M req/s).
run low -p rate=2000 -p reqs=1000 -p arrival=const,poisson -p slo=p99:1s \
	-p wait=spin,sleep
run over -p rate=10000000 -p reqs=20000
# Search: a target no loopback round trip can meet (1 us) gives knee 0 and
# the first rate as its top.
run tight -p load=search -p rate=1000 -p reqs=300 -p slo=p99:1us
python3 - "$out" <<'PY'
import json, os, sys
d = sys.argv[1]
bad = 0
def fail(msg):
    global bad
    print("FAIL", msg); bad += 1
def results(tag):
    p = os.path.join(d, tag, "run.json")
    if not os.path.exists(p):
        fail(f"{tag}: no run.json"); return []
    return json.load(open(p))["results"]
def m(r, k):
    return r["metrics"].get(k, {}).get("value")
for r in results("low"):
    tag = f"low {r['params']}"
    if r["status"] != "ok":
        fail(f"{tag}: {r['status']} {r.get('reason')}"); continue
    p = [m(r, k) for k in ("latency_p50", "latency_p99", "latency_p99.9",
                           "latency_max")]
    if None in p or not (0 < p[0] <= p[1] <= p[2] <= p[3]):
        fail(f"{tag}: percentiles {p}")
    # On a busy VM the client can be starved of CPU for a while: then it
    # must say so.
    sent, who = m(r, "rate_sent"), r["info"].get("bottleneck")
    if sent is None or (abs(sent - 2000) > 400 and who != "client"):
        fail(f"{tag}: rate_sent {sent} for rate 2000, bottleneck {who}")
    # A spinning client is idle while it spins: its busy share at 2000
    # req/s is a few percent, never the whole PU.
    util = m(r, "cpu_client_util")
    if r["params"].get("wait") == "spin" and (util is None or util > 50):
        fail(f"{tag}: cpu_client_util {util}%: the spin counted as work")
    slo = m(r, "latency_slo")
    if slo != p[1] or m(r, "slo_met") != (1 if slo <= 1e9 else 0):
        fail(f"{tag}: slo p99:1s gave {slo}, met {m(r, 'slo_met')}, "
             f"p99 {p[1]}")
    print(f"{tag}: p50 {p[0]:.0f} p99 {p[1]:.0f} sent {sent:.0f} "
          f"bottleneck {r['info'].get('bottleneck')}")
for r in results("over"):
    tag = f"over conns={r['params']['conns']}"
    if r["status"] != "ok":
        fail(f"{tag}: {r['status']} {r.get('reason')}"); continue
    got, mx = r["stats"]["median"], m(r, "latency_max")
    # Each sample of 20000 requests lasts 20000 / got s; the last request
    # of a sample was due before the sample began, so its latency counted
    # from its intended time is at least that long. Counted from when it
    # was sent it would be about one window (256 per connection).
    span = 20000 / got * 1e9
    if got > 5e6:
        fail(f"{tag}: the server took {got:.0f} req/s of 10M")
    if mx is None or mx < 0.5 * span:
        fail(f"{tag}: latency_max {mx} ns under half a sample ({span:.0f} ns): "
             "latency not counted from the intended send time")
    if r["info"].get("bottleneck") not in ("server", "client"):
        fail(f"{tag}: bottleneck {r['info'].get('bottleneck')} at 10M req/s")
    print(f"{tag}: took {got:.0f} req/s, max {mx:.0f} ns over a "
          f"{span:.0f} ns sample, bottleneck {r['info'].get('bottleneck')}")
for tag, knee, top in (("tight", 0, 1000),):
    for r in results(tag):
        if r["status"] != "ok" or r["stats"]["median"] != knee or \
                m(r, "knee_above") != top:
            fail(f"{tag}: {r['status']} {r.get('reason')} knee "
                 f"{r.get('stats', {}).get('median')} above "
                 f"{m(r, 'knee_above')}, want {knee} and {top}")
        else:
            print(f"{tag}: knee {knee}, above {top}, "
                  f"{m(r, 'search_steps'):.0f} steps")
sys.exit(1 if bad else 0)
PY
