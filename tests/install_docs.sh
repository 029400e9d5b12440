#!/bin/bash
# SPDX-License-Identifier: MIT
# kerf(1) renders with man -l and names every subcommand of kerf --help;
# kerf help CMD prints kerf CMD --help; the bash completion offers the
# subcommands, bench names and a bench's parameters.
set -u
page=$KERF_TESTS/../docs/kerf.1
comp=$KERF_TESTS/../contrib/kerf.bash-completion
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
cmds=$("$KERF" --help | awk '/^commands:/ { on = 1; next }
	on && /^  [a-z]/ { print $1 } on && /^$/ { exit }')
[ -n "$cmds" ] || { echo "FAIL: no commands in kerf --help"; exit 1; }

if command -v man >/dev/null; then
	MANWIDTH=80 man -l "$page" 2>"$work/err" | col -b >"$work/man"
	if [ -s "$work/err" ] || ! grep -q '^NAME' "$work/man"; then
		echo "FAIL: man -l $page:"; cat "$work/err"; fail=1
	fi
	if command -v groff >/dev/null &&
	   groff -man -ww -z "$page" 2>&1 | grep .; then
		echo "FAIL: groff warns about $page"; fail=1
	fi
	# the COMMANDS section: each command starts an entry
	sed -n '/^COMMANDS/,/^EXIT STATUS/p' "$work/man" >"$work/cmds"
	for c in $cmds; do
		grep -q "^       $c\b" "$work/cmds" ||
			{ echo "FAIL: kerf.1 lacks command $c"; fail=1; }
	done
	grep -q '128+N' "$work/man" || { echo "FAIL: kerf.1: no 128+N"; fail=1; }
	echo "ok: kerf.1 renders and names: $(echo $cmds)"
else
	echo "note: man not installed, kerf.1 not rendered"
fi

for c in $cmds; do
	"$KERF" help "$c" >"$work/a" 2>&1
	ra=$?
	"$KERF" "$c" --help >"$work/b" 2>&1
	rb=$?
	if [ $ra -ne $rb ] || ! cmp -s "$work/a" "$work/b" ||
	   ! grep -q "usage: kerf $c" "$work/a"; then
		echo "FAIL: kerf help $c differs from kerf $c --help"; fail=1
	fi
done
"$KERF" help nosuch >/dev/null 2>&1
[ $? -eq 2 ] || { echo "FAIL: kerf help nosuch: want exit 2"; fail=1; }

# the completion, driven as bash drives it
kdir=$(dirname "$KERF")
bash -c 'source "$1"; PATH=$2:$PATH
comp() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=()
	_kerf; echo "${COMPREPLY[*]}"; }
comp kerf ""; comp kerf run syscall/getp; comp kerf run tlb/chase -p ""
comp kerf help ex' _ "$comp" "$kdir" >"$work/comp" 2>&1
want=("$(echo $cmds) help --help --version" "syscall/getppid" "" "export")
want[2]=$("$KERF" list --json | python3 -c 'import json, sys
b = [b for b in json.load(sys.stdin)["benches"] if b["name"] == "tlb/chase"]
print(" ".join(sorted(p["name"] + "=" for p in b[0]["params"])))')
for i in 0 1 2 3; do
	got=$(sed -n "$((i + 1))p" "$work/comp")
	[ "$got" = "${want[i]}" ] ||
		{ echo "FAIL: completion $i: '$got', want '${want[i]}'"; fail=1; }
done
[ $fail -eq 0 ] && echo "ok: completion: $(sed -n 3p "$work/comp")"
exit $fail
