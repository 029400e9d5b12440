#!/bin/bash
# SPDX-License-Identifier: MIT
# container/cgroup makes, fills and removes its cgroups: every result is ok
# or a skip with a reason, its parts are recorded, no kerf-* cgroup of this
# run is left, and a leftover named after a dead kerf is swept by the next.
set -u
[ "$(id -u)" -eq 0 ] || { echo "skip: needs root"; exit 77; }
out=$(mktemp -d)
dead=999999
while kill -0 "$dead" 2>/dev/null; do dead=$((dead - 1)); done
planted=
for d in /sys/fs/cgroup/pids /sys/fs/cgroup/unified/kerf.slice /sys/fs/cgroup/kerf.slice; do
	if [ -d "$d" ] && mkdir "$d/kerf-$dead-c1-0" 2>/dev/null; then
		planted="$d/kerf-$dead-c1-0"; break
	fi
done
trap 'rm -rf "$out"; [ -n "$planted" ] && rmdir "$planted" 2>/dev/null' EXIT
"$KERF" run container/cgroup --quick --procs 2 --samples 3 --out "$out" \
	>"$out/stdout" 2>&1
rc=$?
cat "$out/stdout"
[ "$rc" -eq 0 ] || { echo "FAIL kerf run exited $rc"; exit 1; }
python3 - "$out/run.json" <<'PY' || exit 1
import json, sys
ok = 0
for r in json.load(open(sys.argv[1]))["results"]:
    if r["status"] == "skip":
        assert r.get("reason"), r
        continue
    assert r["status"] == "ok", r
    m = r["metrics"]
    for k in ("mkdir", "limits", "enter_exit", "rmdir"):
        assert m[k]["value"] > 0, (r["params"], k, m)
    ok += 1
sys.exit(0 if ok else 77)
PY
left=$(find /sys/fs/cgroup -maxdepth 4 -type d -name 'kerf-*-c*' 2>/dev/null | grep -v "kerf-$dead-")
[ -z "$left" ] || { echo "FAIL left behind: $left"; exit 1; }
if [ -n "$planted" ] && [ -d "$planted" ]; then
	echo "FAIL leftover $planted of dead kerf $dead not swept"; exit 1
fi
exit 0
