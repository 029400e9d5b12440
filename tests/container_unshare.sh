#!/bin/bash
# SPDX-License-Identifier: MIT
# A network namespace outlives its last task: cleanup_net is deferred work,
# so with wait=gone (one namespace at a time under max_net_namespaces=1)
# creates are refused until it is done and an op costs more than with
# wait=exit; a UTS namespace is freed by the exiting task, never refused.
# Without root, net alone skips with the reason and user+net runs.
set -u
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
if [ "$(id -u)" -ne 0 ]; then
	"$KERF" run container/unshare -p ns=net -p via=clone -p userns=0,1 \
		--quick --procs 1 --samples 3 --out "$out" >"$out/stdout" 2>&1
	grep -q "needs CAP_SYS_ADMIN" "$out/stdout" || { cat "$out/stdout"; exit 1; }
	grep -q "userns=1 .*skip" "$out/stdout" && { echo "skip: no user namespaces"; exit 77; }
	grep -Eq "userns=1 +[0-9]" "$out/stdout" || { cat "$out/stdout"; exit 1; }
	exit 0
fi
"$KERF" run container/unshare -p ns=net,uts -p via=clone,unshare \
	-p wait=exit,gone --quick --procs 2 --samples 3 --out "$out" \
	>"$out/stdout" 2>&1
rc=$?
python3 - "$out/run.json" "$rc" <<'PY'
import json, sys
run = json.load(open(sys.argv[1]))
med, retries = {}, {}
for r in run["results"]:
    p = r["params"]
    key = (p["ns"], p["via"], p["wait"])
    if r["status"] != "ok":
        print(f"{key}: {r['status']} {r.get('reason')}")
        sys.exit(77 if r["status"] == "skip" else 1)
    med[key] = r["stats"]["median"]
    retries[key] = r.get("metrics", {}).get("gone_retries", {}).get("value")
    print(f"{key}: median {med[key]:.4g} ns/op, refused creates/op {retries[key]}")
if int(sys.argv[2]) != 0:
    print(f"kerf run exited {sys.argv[2]}"); sys.exit(1)
fail = 0
for via in ("clone", "unshare"):
    g, e = med[("net", via, "gone")], med[("net", via, "exit")]
    if not g > e:
        print(f"FAIL net/{via}: gone {g:.4g} is not > exit {e:.4g}"); fail = 1
    if not retries[("net", via, "gone")] > 0:
        print(f"FAIL net/{via}: no create was refused: teardown not deferred?"); fail = 1
    if retries[("uts", via, "gone")] != 0:
        print(f"FAIL uts/{via}: creates refused, yet exit frees it"); fail = 1
sys.exit(fail)
PY
