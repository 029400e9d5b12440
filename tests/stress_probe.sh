#!/bin/bash
# SPDX-License-Identifier: MIT
# The latency probe: its figures (units, order of percentiles), its
# iterations against the schedule, timeline columns aligned with t_ms, and
# spikes that lie inside the timeline and above the threshold; no probe
# without -p probe=1.
set -u
. "$KERF_TESTS/stress_lib.sh"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# A 10 us threshold: every 4 KiB fault under OOM pressure is above it.
stress_or_skip memory/anon --limit 64M --duration 2s -p probe=1 \
	-p probe_period=2ms -p probe_spike=10us --out "$out/on"
rc=$?
[ $rc -le 1 ] || { echo "FAIL: kerf stress exit $rc"; exit 1; }
stress_or_skip memory/anon --limit 64M --duration 1s --out "$out/off"
python3 - "$out/on/run.json" "$out/off/run.json" <<'PY' || exit 1
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
assert r["status"] == "ok", r.get("reason")
f, u, tl, p = r["figures"], r["figure_units"], r["timeline"], r["probe"]
for k in ("probe_p50_us", "probe_p99_us", "probe_p999_us", "probe_max_us"):
    assert u[k] == "us", (k, u[k])
assert 0 < f["probe_p50_us"] <= f["probe_p99_us"] <= f["probe_p999_us"] <= f["probe_max_us"], f
# 2 s at 2 ms: 1000 deadlines; a stalled probe catches up, never skips.
n = f["probe_iterations"]
assert 900 <= n <= 1001, n
n_rows = len(tl["t_ms"])
for c in ("probe_delay_max_us", "probe_spikes", "vm_pswpout", "vm_compact_stall"):
    assert len(tl[c]) == n_rows, (c, len(tl[c]), n_rows)
assert sum(tl["probe_spikes"]) >= f["probe_spikes"] > 0, (sum(tl["probe_spikes"]), f["probe_spikes"])
assert p["spikes_total"] == f["probe_spikes"] and p["spike_ns"] == 10000
last = tl["t_ms"][-1]
for s in p["spikes"]:
    assert s["delay_max_us"] > 10, s
    assert 0 <= s["t_ms"] <= s["end_ms"] <= last + 1000, s
    assert s["row_from"] <= s["row_to"] < n_rows, s
    assert tl["t_ms"][s["row_from"]] <= s["t_ms"] + 1e-6, s
# The worst delay of the run shows in its timeline column.
assert max(tl["probe_delay_max_us"]) >= f["probe_max_us"] * 0.999, (max(tl["probe_delay_max_us"]), f["probe_max_us"])
print(f"ok: {n} iterations, p50 {f['probe_p50_us']:.0f} us, p99 {f['probe_p99_us']:.0f} us, "
      f"max {f['probe_max_us']:.0f} us, {p['spikes_total']} spikes")
off = json.load(open(sys.argv[2]))["results"][0]
assert "probe" not in off and "probe_p99_us" not in off.get("figures", {}), "probe without probe=1"
assert "probe_delay_max_us" not in off.get("timeline", {}), "probe column without probe=1"
print("ok: no probe unless asked")
PY
rc=$?
[ $rc -eq 0 ] || exit $rc
# The report draws the probe on its own axis, spikes marked, text inside
# the canvas; a run without the probe gets no such plot.
"$KERF" report "$out/on" -o "$out/rep-on" >/dev/null 2>&1 || { echo "FAIL: report of the probe run"; exit 1; }
"$KERF" report "$out/off" -o "$out/rep-off" >/dev/null 2>&1 || { echo "FAIL: report of the plain run"; exit 1; }
gp=$(ls "$out"/rep-on/plots/*-probe-*.gp 2>/dev/null | head -1)
[ -n "$gp" ] && [ -s "${gp%.gp}.svg" ] || { echo "FAIL: no probe plot"; exit 1; }
grep -q 'set logscale y' "$gp" || { echo "FAIL: the probe's axis is not log"; exit 1; }
if python3 -c 'import json,sys; sys.exit(0 if json.load(open(sys.argv[1]))["results"][0]["probe"]["spikes_total"] else 1)' "$out/on/run.json"; then
	grep -q 'set object rect' "$gp" || { echo "FAIL: spikes not marked"; exit 1; }
fi
ls "$out"/rep-off/plots/*-probe-* >/dev/null 2>&1 && { echo "FAIL: a probe plot without the probe"; exit 1; }
python3 "$KERF_TESTS/svg_text.py" "$out/rep-on" || exit 1
echo "ok: the report draws the probe"

