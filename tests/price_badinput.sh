#!/bin/bash
# SPDX-License-Identifier: MIT
# Hostile profiles and bad options: kerf price exits 2 with a message that
# names the file and line (or the option and the accepted form), and writes
# nothing on stdout.
set -u
g="$KERF_TESTS/golden/price"
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
fail=0

# expect NAME PATTERN ARGS...: exit 2, PATTERN in stderr, stdout empty.
expect() {
	local name=$1 pat=$2
	shift 2
	"$KERF" price "$@" >"$d/out" 2>"$d/err"
	local rc=$?
	if [ $rc -ne 2 ] || ! grep -qF -- "$pat" "$d/err" || [ -s "$d/out" ]; then
		echo "FAIL: $name: exit $rc, stderr: $(head -c 300 "$d/err"), stdout bytes: $(wc -c <"$d/out")"
		fail=1
	fi
}

printf 'read,10\nwrite,`touch x`\n' >"$d/count.csv"
expect "bad count" "count.csv:2: count '\`touch x\`'" "$d/count.csv" --run "$g/run.json"
printf 'read,10\nre\033[2Jad,4\n' >"$d/name.csv"
expect "bad name" "name.csv:2: 're" "$d/name.csv" --run "$g/run.json"
grep -q $'\033' "$d/err" && { echo "FAIL: an escape byte reached the terminal"; fail=1; }
printf 'read,99999999999999999999\n' >"$d/big.csv"
expect "huge count" "big.csv:1: count" "$d/big.csv" --run "$g/run.json"
{ printf 'read,'; head -c 3000 /dev/zero | tr '\0' '1'; printf '\n'; } >"$d/long.csv"
expect "long line" "long.csv:1: line longer than 1024" "$d/long.csv" --run "$g/run.json"
printf 'read,1\nwrite\0,2\n' >"$d/nul.csv"
expect "NUL byte" "nul.csv:2: a NUL byte" "$d/nul.csv" --run "$g/run.json"
head -c 5000000 /dev/zero >"$d/huge.csv"
expect "huge file" "huge.csv: not a regular file of at most" "$d/huge.csv" --run "$g/run.json"
expect "directory" "not a regular file" "$d" --run "$g/run.json"
expect "missing" "No such file" "$d/none" --run "$g/run.json"
sed '5s/.*/ 50.86    0.064836           3/' "$g/dd.strace" >"$d/short.strace"
expect "strace short row" "short.strace:5: a strace row of 3 fields" "$d/short.strace" --run "$g/run.json"
head -8 "$g/dd.strace" >"$d/cut.strace"
expect "strace cut" "the strace table ends without its total line" "$d/cut.strace" --run "$g/run.json"
expect "json as profile" "a JSON file, not a profile" "$g/run.json" --run "$g/run.json"
printf '# nothing\n' >"$d/empty.csv"
expect "empty" "no syscall,count rows" "$d/empty.csv" --run "$g/run.json"
expect "per" "--per: 'x' is not" "$g/dd.strace" --run "$g/run.json" --per x
expect "per 0" "--per: '0' is not" "$g/dd.strace" --run "$g/run.json" --per 0
expect "format" "--format: 'xml'" "$g/dd.strace" --run "$g/run.json" --format xml
expect "map" "--map: 'readcall'" "$g/dd.strace" --run "$g/run.json" --map readcall
expect "three runs" "at most 2 runs" "$g/dd.strace" --run "$g/run.json" --run "$g/run.json" --run "$g/run.json"
expect "bad run" "--run:" "$g/dd.strace" --run "$g/dd.strace"
expect "no profile" "no PROFILE" --run "$g/run.json"
exit $fail
