# SPDX-License-Identifier: MIT
# Parse what the cgroup v2 guest sent on its serial port, check the outcomes,
# print one line per stressor (and a few timeline rows of memory/anon).
import json
import sys

lines = open(sys.argv[1], errors="replace").read().replace("\r", "").split("\n")
runs, checks, states, cur, buf = [], [], [], None, []
fit, fitbuf = None, None
for ln in lines:
    if ln.startswith("KERF-FIT "):
        cur, fitbuf = None, []
        print(ln)
    elif ln.startswith("KERF-FITEND"):
        try:
            fit = json.loads("\n".join(fitbuf))
        except ValueError:
            fit = None
        fitbuf = None
    elif fitbuf is not None:
        fitbuf.append(ln)
    elif ln.startswith("KERF-GUEST"):
        print(ln)
    elif ln.startswith("KERF-RESULT"):
        cur, buf = ln.split(" ", 3), []
    elif ln.startswith("KERF-END"):
        try:
            doc = json.loads("\n".join(buf))
        except ValueError:
            doc = None
        runs.append((cur[3], cur[2], doc))
        cur = None
    elif ln.startswith("KERF-STATE"):
        states.append(ln)
    elif ln.startswith("KERF-CHECK"):
        checks.append(dict(kv.split("=") if "=" in kv else ("name", kv)
                           for kv in ln.split()[1:]))
    elif cur is not None:
        buf.append(ln)

fails = []
by = {}
for cmd, rc, doc in runs:
    if not doc:
        fails.append(f"{cmd}: {rc}, no run.json")
        continue
    r = doc["results"][0]
    by[cmd] = r
    f = r.get("figures", {})
    o = r.get("outcome", {})
    print(f"{cmd:45} {rc:5} {r['status']:5} "
          f"kills={len(o.get('killed', []))} "
          f"t_kill={f.get('time_to_kill_s', float('nan')):.3f}s "
          f"lim2kill={f.get('limit_to_kill_s', float('nan')):.3f}s "
          f"peak={f.get('peak_usage', 0) / 2**20:.1f}M/"
          f"{f.get('limit', 0) / 2**20:.0f}M | {o.get('observed', r.get('reason'))}")
    if r["status"] == "error" or (r["status"] == "ok" and not o.get("as_expected")):
        fails.append(f"{cmd}: {r['status']} {o.get('observed', r.get('reason'))}")


def need(cmd, cond, what):
    if cmd not in by:
        fails.append(f"{cmd}: missing")
    elif not cond(by[cmd]):
        fails.append(f"{cmd}: {what}")


need("memory/anon --limit 64M",
     lambda r: len(r["outcome"]["killed"]) == 1 and r["info"]["cgroup"].startswith("v2"),
     "not exactly one kill on v2")
need("delegated memory/anon --limit 64M",
     lambda r: len(r["outcome"]["killed"]) == 1
     and r["info"]["cgroup"].startswith("v2 /sys/fs/cgroup/deleg/kerf-"),
     "not one kill in the delegated subtree")
need("memory/shmem --limit 64M", lambda r: len(r["outcome"]["killed"]) == 1, "no kill")
need("memory/pagecache --limit 32M --duration 12s",
     lambda r: r["status"] == "ok" and r["outcome"]["killed"] == [], "a kill or not run")
need("memory/high --limit 64M --duration 3s",
     lambda r: r["status"] == "ok" and r["outcome"]["killed"] == [], "a kill or not run")
need("memory/victim --limit 64M -p group=1",
     lambda r: r["status"] == "ok" and len(r["outcome"]["killed"]) == 3,
     "memory.oom.group did not kill all three")
need("memory/anon --limit 64M",
     lambda r: "pressure_some_total_us" in r["timeline"] and "pgscan" in r["timeline"],
     "v2 timeline lacks pressure or pgscan")


def probed(r):
    f = r.get("figures", {})
    return all(k in f for k in ("probe_p50_us", "probe_p99_us", "probe_max_us")) \
        and "probe_delay_max_us" in r.get("timeline", {})


need("memory/high --limit 64M --duration 2s -p high=60M -p ws=24M -p probe_period=10ms",
     lambda r: r["status"] == "ok" and probed(r)
     and r["outcome"]["events_delta"].get("high") == 0,
     "the control (high far above ws) was throttled or has no probe")
need("memory/high --limit 64M --duration 2s -p high=24M -p ws=24M -p probe_period=10ms",
     lambda r: r["status"] == "ok" and probed(r)
     and r["outcome"]["events_delta"].get("high", 0) > 0,
     "memory.high at the working set: no high events or no probe")
if any(c.startswith("memory/swap") for c, _, _ in runs):
    need("memory/swap --limit 32M --duration 2s -p swapfile=64M -p rate=64M -p probe_period=10ms",
         lambda r: r["status"] == "ok" and r["figures"].get("pswpout", 0) > 0
         and probed(r), "no swap-out through memory.swap.max, or no probe")
need("memory/thp_compaction --limit 32M --duration 5s -p set_thp=1 -p defrag=always "
     "-p probe_period=50ms", lambda r: r["status"] in ("ok", "skip"), "failed")
for cmd, _, doc in runs:
    if doc and "probe" in doc["results"][0]:
        f = doc["results"][0]["figures"]
        print(f"  probe {cmd}: p50 {f['probe_p50_us']:.0f} p99 {f['probe_p99_us']:.0f} "
              f"max {f['probe_max_us']:.0f} us, {f.get('probe_spikes', 0):.0f} spikes; "
              + " ".join(f"{k}={f[k]:.0f}" for k in ("compact_stall", "thp_fault_alloc",
                                                       "thp_fault_fallback", "pswpout") if k in f))
print("\n".join(states))
if len(states) != 2 or states[0] != states[1]:
    fails.append(f"swap list or THP settings not as found: {states}")

if "memory/anon --limit 64M" in by:
    tl = by["memory/anon --limit 64M"]["timeline"]
    keys = list(tl)
    print("memory/anon timeline (v2):", " ".join(keys))
    n = len(tl["t_ms"])
    for i in sorted(set(list(range(0, n, max(1, n // 6))) + [n - 1])):
        print("  ", " ".join(str(tl[k][i]) for k in keys))

# kerf stress fit on v2: 64 MiB touched fits at 64M to 15% above.
if not fit:
    fails.append("stress fit: no fit.json")
else:
    got = fit.get("fit", 0) / 2**20
    print(f"stress fit (v2, {fit.get('cgroup')}): fit_alloc 64 fits at "
          f"{got:.0f}M, {len(fit['probes'])} probes, {fit['elapsed_s']:.1f} s")
    if not 64 <= got <= 64 * 1.15:
        fails.append(f"stress fit: 64 MiB fits at {got:.0f}M")

for c in checks:
    print("check", c)
    if "sig" in c:
        want = {"INT": "130", "TERM": "143", "KILL": "137"}[c["sig"]]
        if c["rc"] != want or c["before"] == "0":
            fails.append(f"SIG{c['sig']}: rc {c['rc']} (want {want}), before {c['before']}")
        if c["sig"] != "KILL" and c["after"] != "0":
            fails.append(f"SIG{c['sig']}: {c['after']} left behind")
    elif c.get("after") != "0":
        fails.append(f"--cleanup left {c['after']}")
if len(checks) != 4:
    fails.append(f"{len(checks)} cleanup checks of 4")
for f in fails:
    print("FAIL:", f)
sys.exit(1 if fails else 0)
