#!/bin/bash
# SPDX-License-Identifier: MIT
# spawn/* skip an rss that does not fit: in a memory cgroup limited to
# 400 MiB, rss=300M is a skip naming the cgroup and rss=16M runs. Needs a
# memory cgroup kerf may create under its own (root, usually); skips if not.
set -u
line=$(grep -E '^[0-9]+:([^:]*,)?memory(,[^:]*)?:' /proc/self/cgroup)
if [ -n "$line" ]; then
	base=/sys/fs/cgroup/memory${line##*:}
	limit=memory.limit_in_bytes
else
	base=/sys/fs/cgroup$(sed -n 's/^0:://p' /proc/self/cgroup)
	limit=memory.max
fi
cg=${base%/}/kerf-memroom-$$
mkdir "$cg" 2>/dev/null || { echo "skip: cannot create $cg"; exit 77; }
out=$(mktemp -d)
trap 'rmdir "$cg" 2>/dev/null; rm -rf "$out"' EXIT
if ! echo $((400 << 20)) >"$cg/$limit" 2>/dev/null; then
	echo "skip: cannot set $cg/$limit"
	exit 77
fi
bash -c "echo \$\$ >'$cg/cgroup.procs' && exec \"\$KERF\" run spawn/fork \
	-p rss=16M,300M --quick --procs 1 --samples 1 --out '$out'" \
	>"$out/stdout" 2>&1 || { cat "$out/stdout"; echo "skip: cannot run in $cg"; exit 77; }
python3 - "$out/run.json" <<'PY'
import json, sys
res = {r["params"]["rss"]: r for r in json.load(open(sys.argv[1]))["results"]}
for k, r in res.items():
    print(k, r["status"], r.get("reason", ""))
ok = (res["16M"]["status"] == "ok" and res["300M"]["status"] == "skip"
      and "cgroup" in res["300M"]["reason"])
sys.exit(0 if ok else 1)
PY
