#!/bin/bash
# SPDX-License-Identifier: MIT
# kerf price --report DIR with two runs writes a page and a bar chart with one
# bar per run in each call's group; a run whose host name carries gnuplot's
# backquotes, quotes and HTML reaches neither the script nor the page raw.
set -u
g="$KERF_TESTS/golden/price"
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
fail=0
python3 - "$g/run.json" "$d/b.json" <<'PY' || exit 1
import json, sys
r = json.load(open(sys.argv[1]))
r["env"]["host"] = "b'`touch pwned`\"<script>\n"
json.dump(r, open(sys.argv[2], "w"))
PY
(cd "$d" && "$KERF" price "$g/tar.strace-f" --run "$g/run.json" --run "$d/b.json" \
	--report "$d/rep" >"$d/out" 2>"$d/err")
rc=$?
[ $rc -eq 0 ] || { echo "FAIL: exit $rc: $(cat "$d/err")"; exit 1; }
for f in index.html price.gp price.dat; do
	[ -s "$d/rep/$f" ] || { echo "FAIL: no $f"; fail=1; }
done
[ -e "$d/pwned" ] || [ -e "$d/rep/pwned" ] && { echo "FAIL: gnuplot ran a backquote"; fail=1; }
grep -q '`' "$d/rep/price.gp" && { echo "FAIL: a backquote in price.gp"; fail=1; }
grep -q '<script' "$d/rep/index.html" && { echo "FAIL: raw HTML in the page"; fail=1; }
# one bar group per call: y, low, high for each of the 2 runs
awk 'NF != 7 { print "FAIL: price.dat row of " NF " fields: " $0; exit 1 }' "$d/rep/price.dat" || fail=1
grep -q "^newfstatat " "$d/rep/price.dat" || { echo "FAIL: newfstatat not plotted"; fail=1; }
if command -v gnuplot >/dev/null; then
	grep -q '<svg' "$d/rep/price.svg" 2>/dev/null || { echo "FAIL: no price.svg"; fail=1; }
fi
exit $fail
