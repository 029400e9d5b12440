#!/bin/bash
# SPDX-License-Identifier: MIT
# Without gnuplot on PATH kerf report says so, exits 0, and still writes the
# page with its tables (and the plot scripts, linked, for later); with a
# gnuplot that fails it writes the page and exits 1.
set -u
g=$KERF_TESTS/golden/export
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
py=$(command -v python3)
mkdir "$work/empty"
PATH=$work/empty "$KERF" report "$g/run.json" -o "$work/r" >"$work/out" \
	2>"$work/err"
rc=$?
fail=0
if [ $rc -ne 0 ]; then
	echo "FAIL: exit $rc, want 0"; fail=1
fi
if ! grep -qF "gnuplot not found on PATH" "$work/err"; then
	echo "FAIL: no clear message on stderr:"; cat "$work/err"; fail=1
else
	echo "ok: $(cat "$work/err")"
fi
p=$work/r/index.html
for want in "gnuplot was not found on PATH" "<td>syscall/getppid</td>" \
	    "one NUMA node: a remote placement needs two" \
	    "not served by the vDSO here"; do
	grep -qF -- "$want" "$p" || { echo "FAIL: page lacks '$want'"; fail=1; }
done
if grep -q "<img" "$p"; then
	echo "FAIL: images linked without gnuplot"; fail=1
fi
$py "$KERF_TESTS/report_check.py" "$work/r" "" || fail=1
ls "$work/r/plots/"*.gp >/dev/null 2>&1 ||
	{ echo "FAIL: no scripts kept"; fail=1; }

# A gnuplot that fails: the page is written, says so, and kerf exits 1.
mkdir "$work/bad"
printf '#!/bin/sh\necho "broken gnuplot" >&2\nexit 3\n' >"$work/bad/gnuplot"
chmod +x "$work/bad/gnuplot"
PATH=$work/bad:/usr/bin:/bin "$KERF" report "$g/run.json" -o "$work/b" \
	>/dev/null 2>"$work/err"
rc=$?
if [ $rc -ne 1 ]; then
	echo "FAIL: a failing gnuplot: exit $rc, want 1"; fail=1
fi
grep -qF "broken gnuplot" "$work/err" ||
	{ echo "FAIL: gnuplot's complaint not shown:"; cat "$work/err"; fail=1; }
[ -s "$work/b/index.html" ] || { echo "FAIL: no page"; fail=1; }
exit $fail
