#!/bin/bash
# SPDX-License-Identifier: MIT
# Symlinks planted in a report directory: kerf report and kerf export never
# write through them, and as root a directory other users can write (or
# own) is refused (exit 2) before anything is written.
set -u
if [ "$(id -u)" != 0 ]; then
	echo "skip: the planted-directory cases need root (run as root)"
	exit 77
fi
g=$KERF_TESTS/golden/export/run.json
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
echo precious >"$work/victim"

victim_intact() {
	if [ "$(cat "$work/victim")" != precious ]; then
		echo "FAIL: $1: the victim file was overwritten"; fail=1
		echo precious >"$work/victim"
	fi
}

# plant DIR: symlinks to the victim at every name kerf report writes
plant() {
	mkdir -p "$1/plots"
	ln -s "$work/victim" "$1/index.html"
	for s in syscall-bars-ns-op vdso-via-ns-op calib-bars-ns-op; do
		for e in gp dat svg png log; do
			ln -s "$work/victim" "$1/plots/$s.$e"
		done
	done
}

# 1. the reproduction: another user's shared directory, root reports into it
plant "$work/theirs"
chown -R nobody "$work/theirs"
"$KERF" report "$g" -o "$work/theirs" >/dev/null 2>"$work/err"
rc=$?
victim_intact "another user's directory"
if [ $rc -ne 2 ] || ! grep -q "belongs to another user" "$work/err"; then
	echo "FAIL: another user's directory: exit $rc, want 2: $(cat "$work/err")"
	fail=1
fi

# 2. a directory anyone can write
mkdir -m 0777 "$work/open"
"$KERF" report "$g" -o "$work/open" >/dev/null 2>"$work/err"
rc=$?
if [ $rc -ne 2 ] || ! grep -q "writable by other users" "$work/err"; then
	echo "FAIL: a world-writable directory: exit $rc, want 2: $(cat "$work/err")"
	fail=1
fi
[ -e "$work/open/index.html" ] && { echo "FAIL: wrote into $work/open"; fail=1; }

# 3. root's own directory with links in it: replaced, never followed
plant "$work/mine"
"$KERF" report "$g" -o "$work/mine" >/dev/null 2>"$work/err"
rc=$?
victim_intact "links in root's own directory"
if [ $rc -ne 0 ]; then
	echo "FAIL: report into $work/mine: exit $rc: $(cat "$work/err")"; fail=1
fi
for f in "$work/mine/index.html" "$work/mine/plots/syscall-bars-ns-op.svg" \
	"$work/mine/plots/syscall-bars-ns-op.gp"; do
	if [ -L "$f" ] || [ ! -s "$f" ]; then
		echo "FAIL: $f is still a link or empty"; fail=1
	fi
done
if ls -a "$work/mine" "$work/mine/plots" | grep -q '^\.work-\|^\.index'; then
	echo "FAIL: temporary files left: $(ls -a "$work/mine/plots")"; fail=1
fi

# 4. kerf export onto a link
for fmt in gbench bmf csv; do
	ln -sf "$work/victim" "$work/out.$fmt"
	"$KERF" export "$g" --format $fmt -o "$work/out.$fmt" 2>"$work/err"
	rc=$?
	victim_intact "export $fmt onto a link"
	if [ $rc -ne 0 ] || [ -L "$work/out.$fmt" ]; then
		echo "FAIL: export $fmt: exit $rc, link left: $(cat "$work/err")"
		fail=1
	fi
done
# 5. kerf run: run.json and its temporary file planted as links
mkdir -p "$work/run"
ln -sf "$work/victim" "$work/run/run.json"
for p in $(seq 1 40); do ln -sf "$work/victim" "$work/run/.run.json.$p.tmp"; done
"$KERF" run calib/spin --quick --procs 1 --samples 2 --out "$work/run" \
	>/dev/null 2>"$work/err"
rc=$?
victim_intact "kerf run --out onto a link"
if [ $rc -ne 0 ] || [ -L "$work/run/run.json" ]; then
	echo "FAIL: kerf run: exit $rc, link left: $(cat "$work/err")"; fail=1
fi

[ $fail = 0 ] && echo "ok: no write went through a planted link"
exit $fail
