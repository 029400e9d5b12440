#!/bin/bash
# SPDX-License-Identifier: MIT
# The CSV export of two runs appended as a spreadsheet would (the second
# file's header dropped): one table, the same header, every row its width,
# each run its id, samples indexed, skips and failures a row with reason.
set -u
g=$KERF_TESTS/golden/export
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$KERF" export "$g/run.json" --format csv -o "$work/a.csv" || exit 1
"$KERF" export "$g/new.json" --format csv -o "$work/b.csv" || exit 1
if ! cmp -s <(head -1 "$work/a.csv") <(head -1 "$work/b.csv"); then
	echo "FAIL: the two runs' headers differ"; exit 1
fi
{ cat "$work/a.csv"; tail -n +2 "$work/b.csv"; } >"$work/all.csv"
python3 - "$work/all.csv" "$g/run.json" <<'PY'
import csv, json, sys
from collections import defaultdict
rows = list(csv.reader(open(sys.argv[1], newline="")))
run = json.load(open(sys.argv[2]))
head, body = rows[0], rows[1:]
fail = 0
def bad(m):
    global fail
    print("FAIL:", m); fail = 1
want = ["run_id", "host", "bench", "params", "unit", "better", "status",
        "reason", "round", "proc", "sample", "value"]
if head != want: bad(f"header {head}")
for i, r in enumerate(body):
    if len(r) != len(head): bad(f"row {i + 2} has {len(r)} fields")
if fail: sys.exit(1)
D = [dict(zip(head, r)) for r in body]
runs = sorted({d["run_id"] for d in D})
if len(runs) != 2: bad(f"run ids {runs}")
samples = defaultdict(list)
for d in D:
    if d["status"] == "ok":
        samples[(d["run_id"], d["bench"], d["params"])].append(int(d["sample"]))
        float(d["value"])
    elif not d["reason"] or d["value"]:
        bad(f"{d['bench']} {d['status']}: reason '{d['reason']}' value '{d['value']}'")
for k, s in samples.items():
    if s != list(range(len(s))): bad(f"{k}: sample index {s}")
# every result of the run is there: ok ones with all samples, others as one row
for r in run["results"]:
    p = ";".join(f"{k}={r['params'][k]}" for k in sorted(r["params"]))
    got = [d for d in D if d["run_id"] == runs[0] and d["bench"] == r["bench"]
           and d["params"] == p]
    n = len(r.get("samples", [])) if r["status"] == "ok" else 0
    if len(got) != max(n, 1) or got[0]["status"] != r["status"]:
        bad(f"{r['bench']} {p}: {len(got)} rows {got[:1]}, want {max(n, 1)}")
st = defaultdict(int)
for d in D: st[d["status"]] += 1
print(f"ok: {len(body)} rows, {len(head)} columns, runs {runs},",
      ", ".join(f"{k} {v}" for k, v in sorted(st.items())))
sys.exit(fail)
PY
