#!/bin/bash
# SPDX-License-Identifier: MIT
# kerf run into a pipe prints as it goes: a line when a family starts, each
# result's row before the run ends (run.json does not yet hold them all when
# the first row arrives); --quiet prints the table at the end only.
set -u
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
python3 - "$KERF" "$out" <<'PY'
import json, os, subprocess, sys
kerf, out = sys.argv[1], sys.argv[2]
fail = 0
def run(tag, *extra):
    d = os.path.join(out, tag)
    p = subprocess.Popen([kerf, "run", "--quick", "calib", "syscall",
                          "--out", d, *extra], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, text=True)
    lines, done_at_first = [], None
    for line in p.stdout:
        lines.append(line.rstrip("\n"))
        if line.startswith("calib/spin") and done_at_first is None:
            try:
                done_at_first = len(json.load(
                    open(os.path.join(d, "run.json")))["results"])
            except (OSError, ValueError):
                done_at_first = 0
    return p.wait(), lines, done_at_first
rc, lines, first = run("stream")
rows = [l for l in lines if l.startswith(("calib/", "syscall/"))]
fams = [l for l in lines if l.startswith("== ")]
print(f"stream: exit {rc}, {len(fams)} family lines, {len(rows)} rows, "
      f"run.json held {first} results at the first row")
if rc != 0:
    fail = 1
if [l.split(":")[0] for l in fams] != ["== calib", "== syscall"]:
    print("FAIL want one line as calib starts and one as syscall starts")
    fail = 1
if len(rows) != 12:
    print("FAIL want each of the 6 rows as it comes and again in the table")
    fail = 1
if first is None or first >= 6:
    print("FAIL the first row came after every result was done"); fail = 1
if fams and rows and lines.index(fams[1]) > lines.index(
        next(l for l in lines if l.startswith("syscall/"))):
    print("FAIL the syscall family line came after its first row"); fail = 1
rc, lines, _ = run("quiet", "--quiet")
rows = [l for l in lines if l.startswith(("calib/", "syscall/"))]
print(f"quiet: exit {rc}, {len(rows)} rows")
if rc != 0 or len(rows) != 6 or any(l.startswith("== ") for l in lines):
    print("FAIL --quiet: want the 6 rows of the end table only"); fail = 1
sys.exit(fail)
PY
