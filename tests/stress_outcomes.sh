#!/bin/bash
# SPDX-License-Identifier: MIT
# The memory stressors on this host's cgroup backend, for real: memory/anon
# ends with exactly one kill and kerf alive, memory/pagecache with no kill and
# usage at the limit, memory/shmem with a kill and its charge left; no cgroup
# or file is left behind after any of them; every figure has its unit.
set -u
. "$KERF_TESTS/stress_lib.sh"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

run()
{
	local name=$1 pid rc
	shift
	stress_run_logged "$out/log" "$name" --limit 64M --out "$out/$name" "$@"
	cat "$out/log"
	[ $rc -eq 0 ] || { echo "FAIL: $name exit $rc"; exit 1; }
	left=$(stress_leftovers $pid)
	[ -z "$left" ] || { echo "FAIL: $name left $left"; exit 1; }
}

run memory/anon
run memory/pagecache --duration 2s
run memory/shmem

python3 - "$out" <<'PY' || exit 1
import json, sys
def res(name):
    r = json.load(open(f"{sys.argv[1]}/{name}/run.json"))["results"][0]
    assert r["bench"] == name and r["status"] in ("ok", "skip"), r
    return r
def units(r):
    if r["status"] != "ok":
        return
    u = r["figure_units"]
    assert sorted(u) == sorted(r["figures"]), (u, r["figures"])
    assert u["limit"] == "B" and u["peak_ratio"] == "fraction", u
    assert all(v == "s" for k, v in u.items() if k.endswith("_s")), u
a = res("memory/anon")
assert len(a["outcome"]["killed"]) == 1, a["outcome"]
assert a["outcome"]["as_expected"] and a["outcome"]["kerf_alive"]
assert 0 < a["figures"]["time_to_kill_s"] < 5, a["figures"]
tl = a["timeline"]
n = len(tl["t_ms"])
assert n > 5 and all(len(v) == n for v in tl.values()), "ragged timeline"
assert max(tl["usage"]) >= 0.9 * a["figures"]["limit"]
p = res("memory/pagecache")
if p["status"] == "ok":
    assert p["outcome"]["killed"] == [], p["outcome"]
    assert p["figures"]["peak_ratio"] >= 0.9, p["figures"]
    i = p["timeline"]["usage"].index(max(p["timeline"]["usage"]))
    assert p["timeline"]["file"][i] > p["timeline"]["anon"][i]
s = res("memory/shmem")
assert len(s["outcome"]["killed"]) == 1, s["outcome"]
assert s["figures"]["shmem_after_kill"] > 0.5 * s["figures"]["limit"]
for r in (a, p, s):
    units(r)
print("ok: anon %.3fs to kill, pagecache peak %.0f%%, shmem %.3fs to kill" %
      (a["figures"]["time_to_kill_s"],
       100 * p.get("figures", {}).get("peak_ratio", 0),
       s["figures"]["time_to_kill_s"]))
PY
