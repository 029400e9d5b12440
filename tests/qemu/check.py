# SPDX-License-Identifier: MIT
# Parse what the cgroup v2 guest sent on its serial port, check the outcomes,
# print one line per stressor (and a few timeline rows of memory/anon).
import json
import sys

lines = open(sys.argv[1], errors="replace").read().replace("\r", "").split("\n")
runs, checks, states, paces, late, cur, buf = [], [], [], [], [], None, []
fit, fitbuf, guest = None, None, ""
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
        guest = ln
        print(ln)
    elif ln.startswith("KERF-PACE"):
        paces.append(dict(kv.split("=") for kv in ln.split()[2:]))
        print(ln)
    elif ln.startswith("KERF-LATE"):
        late.append(ln.split()[1])
    elif ln.startswith("KERF-RESULT"):
        # KERF-RESULT N rc=R try=K LABEL CMD...
        cur, buf = ln.split(" ", 5), []
    elif ln.startswith("KERF-END"):
        try:
            doc = json.loads("\n".join(buf))
        except ValueError:
            doc = None
        runs.append((cur[4], int(cur[3][4:]), cur[2], cur[5], doc))
        cur = None
    elif ln.startswith("KERF-STATE"):
        states.append(ln)
    elif ln.startswith("KERF-CHECK"):
        checks.append(dict(kv.split("=") if "=" in kv else ("name", kv)
                           for kv in ln.split()[1:]))
    elif cur is not None:
        buf.append(ln)

# Runs the guest did not start (or tries it cut short) once its budget was
# spent, or at all when its pace was past the slow mark from the start: the
# host skips (77) for them, with the pace, if nothing run failed.
cut = set(late)
fails = []
tries = {}  # label: [(try, rc, cmd, result)], in order
for label, k, rc, cmd, doc in runs:
    if not doc:
        fails.append(f"{label} try {k} ({cmd}): {rc}, no run.json")
        continue
    r = doc["results"][0]
    tries.setdefault(label, []).append((k, rc, cmd, r))
    f = r.get("figures", {})
    o = r.get("outcome", {})
    print(f"{label:12} {k} {rc:5} {r['status']:5} "
          f"kills={len(o.get('killed', []))} "
          f"t_kill={f.get('time_to_kill_s', float('nan')):.3f}s "
          f"lim2kill={f.get('limit_to_kill_s', float('nan')):.3f}s "
          f"peak={f.get('peak_usage', 0) / 2**20:.1f}M/"
          f"{f.get('limit', 0) / 2**20:.0f}M | {cmd} | "
          f"{o.get('observed', r.get('reason'))}")
    if r["status"] == "error":
        fails.append(f"{label} try {k}: error {r.get('reason')}")
by = {label: t[-1][3] for label, t in tries.items()}
for label, t in tries.items():
    r = t[-1][3]
    if r["status"] == "ok" and not r["outcome"].get("as_expected") and label not in cut:
        fails.append(f"{label}: {len(t)} tries, the last: {r['outcome'].get('observed')}")


def need(label, cond, what, every=None):
    """cond on the last try of label; every (the invariants) on each try."""
    if label not in by:
        if label not in cut:
            fails.append(f"{label}: missing")
        return
    for k, _, cmd, r in tries[label]:
        if every and not every(r):
            fails.append(f"{label} try {k} ({cmd}): {what}")
    if not cond(by[label]) and label not in cut:
        fails.append(f"{label}: {what}")


def nokill(r):
    return r["status"] in ("ok", "skip") and r["outcome"].get("killed", []) == []


need("anon", lambda r: len(r["outcome"]["killed"]) == 1 and r["info"]["cgroup"].startswith("v2"),
     "not exactly one kill on v2")
need("delegated", lambda r: len(r["outcome"]["killed"]) == 1
     and r["info"]["cgroup"].startswith("v2 /sys/fs/cgroup/deleg/kerf-"),
     "not one kill in the delegated subtree")
need("shmem", lambda r: len(r["outcome"]["killed"]) == 1, "no kill")
need("pagecache", lambda r: r["status"] == "ok", "a kill or not run", nokill)
need("high", lambda r: r["status"] == "ok", "a kill or not run", nokill)
need("victim-group", lambda r: r["status"] == "ok" and len(r["outcome"]["killed"]) == 3,
     "memory.oom.group did not kill all three")
need("anon", lambda r: "pressure_some_total_us" in r["timeline"] and "pgscan" in r["timeline"],
     "v2 timeline lacks pressure or pgscan")


def probed(r):
    f = r.get("figures", {})
    return all(k in f for k in ("probe_p50_us", "probe_p99_us", "probe_max_us")) \
        and "probe_delay_max_us" in r.get("timeline", {})


# The probe runs, once per kerf.reps (label.REP); swap where the guest had
# its ext4 disk.
reps = sorted({x.partition(".")[2] for x in set(tries) | cut if "." in x})
if not reps:
    fails.append("the probe runs (control, at-ws, swap, thp) are missing")
for rep in reps:
    # Every try: memory.high far above the working set throttles nothing.
    need(f"control.{rep}", lambda r: r["status"] == "ok" and probed(r),
         "the control (high far above ws) was throttled or has no probe",
         lambda r: r["status"] == "ok" and r["outcome"]["killed"] == []
         and r["outcome"]["events_delta"].get("high") == 0)
    need(f"at-ws.{rep}", lambda r: r["status"] == "ok" and probed(r)
         and r["outcome"]["events_delta"].get("high", 0) > 0,
         "memory.high at the working set: a kill, no high events or no probe", nokill)
    if "disk=ext4" in guest:
        need(f"swap.{rep}", lambda r: r["status"] == "ok" and r["figures"].get("pswpout", 0) > 0
             and probed(r), "a kill, no swap-out through memory.swap.max, or no probe",
             nokill)
    need(f"thp.{rep}", lambda r: r["status"] in ("ok", "skip"), "failed")
# The rest: there, and (above) as expected on the last try.
for label in ("victim", "fork", "nofile", "throttle"):
    need(label, lambda r: True, "")
for label, t in tries.items():
    for k, _, cmd, r in t:
        if "probe" in r:
            f = r["figures"]
            print(f"  probe {label} try {k}: p50 {f['probe_p50_us']:.0f} "
                  f"p99 {f['probe_p99_us']:.0f} max {f['probe_max_us']:.0f} us, "
                  f"{f.get('probe_spikes', 0):.0f} spikes; "
                  + " ".join(f"{x}={f[x]:.0f}" for x in ("compact_stall", "thp_fault_alloc",
                                                         "thp_fault_fallback", "pswpout")
                             if x in f))
print("\n".join(states))
if len(states) != 2 or states[0] != states[1]:
    fails.append(f"swap list or THP settings not as found: {states}")

if "anon" in by:
    tl = by["anon"]["timeline"]
    keys = list(tl)
    print("memory/anon timeline (v2):", " ".join(keys))
    n = len(tl["t_ms"])
    for i in sorted(set(list(range(0, n, max(1, n // 6))) + [n - 1])):
        print("  ", " ".join(str(tl[k][i]) for k in keys))

# kerf stress fit on v2: 64 MiB touched fits at 64M to 15% above.
if not fit and "fit" not in cut:
    fails.append("stress fit: no fit.json")
elif fit:
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
want = 4 - len([x for x in cut if x.startswith("sig")]) - ("sigKILL" in cut)
if len(checks) != want:
    fails.append(f"{len(checks)} cleanup checks of {want}")
for f in fails:
    print("FAIL:", f)
if fails:
    sys.exit(1)
if cut:
    # Out of time: a skip only where the guest's pace says TCG was starved
    # (at least half the slow mark when the budget ran out); a guest at a
    # normal pace that spent its budget retried to the caps: a failure.
    p = paces[-1]
    pace, mark = int(p["cs"]) / 100, int(paces[0]["slow"]) / 100
    where = "its pace was past the slow mark at the start" if len(paces) == 1 else \
        f"it ran out of its budget after {int(p['uptime']) / 100:.0f} s, at {p['at']}"
    msg = (f"the guest: {where}; its pace loop took {pace:.2f} s "
           f"(start {int(paces[0]['cs']) / 100:.2f} s, slow from {mark:.2f} s); "
           f"not run: {' '.join(late)}")
    if not mark or pace < mark / 2:
        print("FAIL:", msg, "- at a normal pace")
        sys.exit(1)
    print("skip:", msg)
    sys.exit(77)
sys.exit(0)
