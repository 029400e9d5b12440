#!/bin/bash
# SPDX-License-Identifier: MIT
# kerf export of a fixed run.json against golden files, one per format; bad
# formats and bad files exit 2 and write nothing.
set -u
g=$KERF_TESTS/golden/export
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0

for fmt in gbench bmf csv gab-smaller gab-bigger; do
	case $fmt in
	csv) want=$g/expected.csv ;;
	*) want=$g/expected.$fmt.json ;;
	esac
	if ! "$KERF" export "$g/run.json" --format $fmt -o "$work/out.$fmt"; then
		echo "FAIL: export --format $fmt exited non-zero"; fail=1
		continue
	fi
	if ! diff -u "$want" "$work/out.$fmt" >"$work/diff"; then
		echo "FAIL: $fmt differs from $want:"; head -40 "$work/diff"
		fail=1
	else
		echo "ok: $fmt matches $(basename "$want")"
	fi
	# stdout (no -o, and -o -) gives the same bytes
	"$KERF" export "$g" --format $fmt >"$work/stdout.$fmt"
	"$KERF" export "$g/run.json" --format $fmt -o - >"$work/dash.$fmt"
	if ! cmp -s "$work/out.$fmt" "$work/stdout.$fmt" ||
	   ! cmp -s "$work/out.$fmt" "$work/dash.$fmt"; then
		echo "FAIL: $fmt on stdout differs from -o FILE"; fail=1
	fi
done

# JSON exports parse, and hold no NaN or Infinity (Python accepts them,
# so look for the words; strict parsers refuse them).
python3 - "$work/out.gbench" "$work/out.bmf" "$work/out.gab-smaller" \
	"$work/out.gab-bigger" <<'PY' || fail=1
import json, sys
for p in sys.argv[1:]:
    text = open(p).read()
    def bad(c):
        raise ValueError(f"{p}: non-finite constant {c}")
    json.loads(text, parse_constant=bad)
print("ok: exports parse strictly")
PY

# expect_2 WANT ARGS...: exit 2, message holds WANT, no output file left.
expect_2() {
	local want=$1
	shift
	"$KERF" "$@" >"$work/o" 2>"$work/e"
	local rc=$?
	if [ $rc -ne 2 ]; then
		echo "FAIL: kerf $* exited $rc, want 2"; cat "$work/e"; fail=1
	elif ! grep -qF -- "$want" "$work/e"; then
		echo "FAIL: kerf $*: message lacks '$want':"; cat "$work/e"
		fail=1
	else
		echo "ok: kerf $*: $(head -1 "$work/e")"
	fi
	if ls "$work"/never* >/dev/null 2>&1; then
		echo "FAIL: kerf $* wrote a file"; fail=1; rm -f "$work"/never*
	fi
}
printf '{"schema": "kerf.run/1", "results": [\n  {"bench": 1,,\n' \
	>"$work/broken.json"
expect_2 "'xml' (accepted: gbench|bmf|csv|gab-smaller|gab-bigger)" export "$g/run.json" \
	--format xml -o "$work/never"
expect_2 "--format is required" export "$g/run.json" -o "$work/never"
expect_2 "no RUN given" export --format csv
expect_2 "$work/nosuch" export "$work/nosuch" --format csv -o "$work/never"
expect_2 "broken.json:2:" export "$work/broken.json" --format gbench \
	-o "$work/never"
exit $fail
