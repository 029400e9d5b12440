#!/bin/bash
# SPDX-License-Identifier: MIT
# kerf stress refuses bad input with exit 2, a message naming the value, and
# writes nothing.
set -u
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
fail=0

bad()
{
	local want=$1 rc
	shift
	"$KERF" stress "$@" --out "$out/r" >/dev/null 2>"$out/err"
	rc=$?
	if [ $rc -ne 2 ]; then
		echo "FAIL: kerf stress $*: exit $rc, want 2"
		fail=1
	elif ! grep -qF -- "$want" "$out/err"; then
		echo "FAIL: kerf stress $*: message lacks '$want': $(cat "$out/err")"
		fail=1
	elif [ -e "$out/r" ]; then
		echo "FAIL: kerf stress $*: wrote $out/r"
		fail=1
	fi
}

bad "--limit '0'" memory/anon --limit 0
bad "--limit 'lots'" memory/anon --limit lots
bad "larger than this host's memory" memory/anon --limit 64T
bad "--limit '-1M'" memory/anon --limit -1M
bad "unknown stressor 'memory/anno'" memory/anno
bad "did you mean memory/anon" memory/anno
bad "parameter rate" memory/anon -p rate=fast
bad "no parameter 'nosuch'" memory/anon -p nosuch=1
bad "expected NAME=VALUE" memory/anon -p rate
bad "--duration '0'" memory/anon --duration 0
bad "--duration '5'" memory/anon --duration 5
bad "--sample-ms '0'" memory/anon --sample-ms 0
bad "expected one stressor NAME" 
bad "parameter workers" memory/anon -p workers=9

# A stressor that cannot start (no cgroup for an unprivileged user) leaves
# no empty --out directory behind.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	chmod 777 "$out"
	setpriv --reuid=nobody --regid=nogroup --clear-groups \
		"$KERF" stress memory/anon --duration 200ms --out "$out/np" \
		>/dev/null 2>"$out/err"
	rc=$?
	if [ $rc -eq 0 ]; then
		echo "note: nobody could run the stressor here; check not made"
	elif [ -e "$out/np" ]; then
		echo "FAIL: a failed kerf stress (exit $rc) left $out/np"
		fail=1
	fi
fi
exit $fail
