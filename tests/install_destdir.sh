#!/bin/bash
# SPDX-License-Identifier: MIT
# cmake --install into a DESTDIR: kerf in bin/, its helper in libexec/kerf/
# (not in bin/), the man page and the completion; the installed kerf runs
# spawn/exec, which starts the helper, from there, and fails by name when
# the helper is gone.
set -u
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root
DESTDIR=$root cmake --install "$KERF_BUILD" --prefix /usr >"$work/log" 2>&1 ||
	{ echo "FAIL: cmake --install"; cat "$work/log"; exit 1; }
fail=0
for f in usr/bin/kerf usr/libexec/kerf/kerf-exit0 usr/share/man/man1/kerf.1 \
	 usr/share/bash-completion/completions/kerf \
	 usr/share/doc/kerf/results-README.md; do
	[ -e "$root/$f" ] || { echo "FAIL: $f not installed"; fail=1; }
done
if ls "$root"/usr/bin/kerf-* >/dev/null 2>&1; then
	echo "FAIL: helpers in bin/: $(ls "$root"/usr/bin)"; fail=1
fi
# status of spawn/exec run by the installed kerf
exec_status() {
	"$root/usr/bin/kerf" run --quick spawn/exec -p rss=0 --out "$work/$1" \
		>"$work/$1.log" 2>&1
	python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print(r["status"], r.get("reason", ""))' "$work/$1/run.json"
}
got=$(exec_status r1)
if [ "${got%% *}" != ok ]; then
	echo "FAIL: installed kerf, spawn/exec: $got"; cat "$work/r1.log"; fail=1
else
	echo "ok: installed kerf ran spawn/exec with libexec/kerf/kerf-exit0"
fi
rm "$root/usr/libexec/kerf/kerf-exit0"
got=$(exec_status r2)
case $got in
error*libexec/kerf/kerf-exit0*) echo "ok: without the helper: $got" ;;
*) echo "FAIL: without the helper, spawn/exec: $got"; fail=1 ;;
esac
exit $fail
