#!/bin/bash
# SPDX-License-Identifier: MIT
# cpack -G DEB builds kerf's .deb; its contents are the installed layout
# (kerf, libexec/kerf/ helpers, man page, completion), its Depends name the
# shared libraries, and kerf extracted from it runs kerf run --quick syscall.
set -u
command -v cpack >/dev/null && command -v dpkg-deb >/dev/null ||
	{ echo "skip: needs cpack and dpkg-deb"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if ! cpack --config "$KERF_BUILD/CPackConfig.cmake" -G DEB -B "$work" \
	>"$work/log" 2>&1; then
	echo "FAIL: cpack"; tail -20 "$work/log"; exit 1
fi
deb=$(ls "$work"/kerf_*.deb 2>/dev/null | head -1)
[ -n "$deb" ] || { echo "FAIL: no kerf_*.deb"; ls "$work"; exit 1; }
fail=0
dpkg-deb -c "$deb" | awk '{ print $6 }' >"$work/files"
for f in ./usr/bin/kerf ./usr/libexec/kerf/kerf-exit0 \
	 ./usr/share/man/man1/kerf.1 ./usr/share/bash-completion/completions/kerf; do
	grep -qx -- "$f" "$work/files" || { echo "FAIL: $deb lacks $f"; fail=1; }
done
dep=$(dpkg-deb -f "$deb" Depends)
for lib in libjansson liburing libhwloc libnuma; do
	case $dep in *$lib*) ;; *) echo "FAIL: Depends lacks $lib: $dep"; fail=1 ;; esac
done
echo "ok: $(basename "$deb"): Depends: $dep"
dpkg-deb -x "$deb" "$work/root"
"$work/root/usr/bin/kerf" run --quick syscall --out "$work/run" \
	>"$work/run.log" 2>&1
rc=$?
st=$(python3 -c 'import json, sys
print(" ".join(sorted({r["status"] for r in json.load(open(sys.argv[1]))["results"]})))' \
	"$work/run/run.json" 2>&1)
if [ $rc -ne 0 ] || [ "$st" != ok ]; then
	echo "FAIL: kerf from the .deb: exit $rc, statuses $st"
	tail -5 "$work/run.log"; fail=1
else
	echo "ok: kerf from the .deb ran syscall: every result ok"
fi
exit $fail
