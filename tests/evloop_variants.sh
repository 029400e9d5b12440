#!/bin/bash
# SPDX-License-Identifier: MIT
# Smoke runs of every evloop variant at small sizes: each result must be ok,
# or a skip that gives its reason; errors fail the test.
set -u
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
run() {
	local tag=$1
	shift
	"$KERF" run "$@" --quick --procs 1 --samples 3 -p conns=1,8 \
		-p reqs=200 --out "$out/$tag" >"$out/$tag.log" 2>&1
	echo "$tag: kerf exit $?"
}
run uring evloop/io_uring -p mode=poll,recv -p sqpoll=0,1 \
	-p taskrun=default,coop,defer -p fixed_files=0,1
run epoll evloop/epoll -p trigger=level,edge -p transport=unix,tcp
run others evloop/poll evloop/select -p transport=unix,tcp
run uring_tcp evloop/io_uring -p transport=tcp -p depth=4 -p msg=1K
# A placement this host lacks (smt on a host without SMT) must be a skip.
run place evloop/epoll -p placement=same,smt
python3 - "$out" <<'PY'
import json, sys, os
bad = ok = skip = 0
for tag in ("uring", "epoll", "others", "uring_tcp", "place"):
    path = os.path.join(sys.argv[1], tag, "run.json")
    if not os.path.exists(path):
        print(f"{tag}: no run.json"); bad += 1; continue
    for r in json.load(open(path))["results"]:
        p = " ".join(f"{k}={v}" for k, v in sorted(r["params"].items())
                     if k not in ("reqs", "placement", "msg", "depth"))
        if r["status"] == "ok":
            ok += 1
            m = r.get("metrics", {})
            need = ["latency_p99", "cpu_server_per_req", "cpu_client_per_req"]
            if r["params"].get("sqpoll") == "1":
                need.append("cpu_sqpoll_per_req")
            miss = [k for k in need if k not in m]
            if miss or r["stats"]["median"] <= 0:
                print(f"BAD  {r['bench']} {p}: missing {miss}"); bad += 1
            elif "cpu_sqpoll_per_req" in need and \
                    m["cpu_sqpoll_per_req"]["value"] <= 0:
                print(f"BAD  {r['bench']} {p}: SQPOLL thread shows no CPU")
                bad += 1
        elif r["status"] == "skip" and r.get("reason"):
            skip += 1
            print(f"skip {r['bench']} {p}: {r['reason']}")
        else:
            bad += 1
            print(f"BAD  {r['bench']} {p}: {r['status']} {r.get('reason')}")
print(f"{ok} ok, {skip} skipped, {bad} bad")
sys.exit(1 if bad or not ok else 0)
PY
