#!/bin/bash
# SPDX-License-Identifier: MIT
# kerf stress fit on commands whose need is known: one that touches 200 MiB
# fits at 200M to 15% above; one that streams a 256 MiB file fits far below
# its size (page cache is reclaimable); bad input is refused with exit 2;
# no cgroup is left behind.
set -u
. "$KERF_TESTS/stress_lib.sh"
out=$(mktemp -d /var/tmp/kerf-fit-test.XXXXXX)
trap 'rm -rf "$out"' EXIT
fails=0

# bad WORD ARGS...: exit 2 and a message naming WORD.
bad()
{
	local word=$1
	shift
	"$KERF" stress fit "$@" >"$out/bad.log" 2>&1
	rc=$?
	if [ $rc -ne 2 ] || ! grep -qF -- "$word" "$out/bad.log"; then
		echo "FAIL: '$*' gave exit $rc: $(cat "$out/bad.log")"
		fails=$((fails + 1))
	fi
}
bad "'1K'" --max 1K -- true
bad "'x'" --slowdown x -- true
bad "'0'" --runs 0 -- true
bad "expected a command" --max 256M
bad "push the host into OOM" --max 100T -- true

# fit TAG EXIT [OPTIONS] -- CMD...: kerf must exit EXIT.
fit()
{
	local tag=$1 want=$2
	shift 2
	stress_run_logged "$out/$tag.log" fit --max 1G --out "$out/$tag" "$@"
	cat "$out/$tag.log"
	[ $rc -eq $want ] || { echo "FAIL: $tag exit $rc"; fails=$((fails + 1)); }
	left=$(stress_leftovers $pid)
	[ -z "$left" ] || { echo "FAIL: $tag left $left"; fails=$((fails + 1)); }
}
fit alloc 0 -- "$KERF_BUILD/tests/fit_alloc" 200
dd if=/dev/zero of="$out/file" bs=1M count=256 status=none
# Reading a file takes 0.2 s here, with jitter of tens of percent on a busy
# VM: the median of 3 pairs per probe, and 50% allowed (what is checked is
# that page cache is reclaimed, not the time).
fit stream 0 --runs 3 --slowdown 50 -- "$KERF_BUILD/tests/fit_stream" "$out/file"
# A command that fails even at --max: exit 1, one probe, no fit.
fit false 1 -- false

python3 - "$out" <<'PY' || fails=$((fails + 1))
import json, sys
M = 1 << 20
def load(tag):
    return json.load(open(f"{sys.argv[1]}/{tag}/fit.json"))
bad = 0
a = load("alloc")
if not (a.get("fit") and 200 * M <= a["fit"] <= 230 * M):
    print(f"FAIL: 200 MiB command fits at {a.get('fit')}"); bad += 1
lo, hi = a["fit_bracket"]
if not (lo < hi == a["fit"] and hi / lo <= 1.03):
    print(f"FAIL: bracket {lo}..{hi}"); bad += 1
if not any(r["oom_kill"] for p in a["probes"] for r in p["runs"]):
    print("FAIL: no probe of the 200 MiB command was OOM-killed"); bad += 1
s = load("stream")
if not (s.get("fit") and s["fit"] <= 64 * M):
    print(f"FAIL: streaming 256M fits at {s.get('fit')}"); bad += 1
f = load("false")
if f.get("fit") is not None or len(f["probes"]) != 1:
    print(f"FAIL: false fits at {f.get('fit')}"); bad += 1
for t, d in (("alloc", a), ("stream", s)):
    print(f"{t}: fits at {d['fit'] / M:.0f} MiB, {len(d['probes'])} probes, "
          f"{d['elapsed_s']:.1f} s")
sys.exit(1 if bad else 0)
PY
exit $((fails > 0))
