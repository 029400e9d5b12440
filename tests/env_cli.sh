# SPDX-License-Identifier: MIT
# `kerf env`: --json parses and holds the keys the gate compares; text mode
# ends with the warnings; a bad option exits 2 and names itself.
set -u
: "${KERF:?KERF must name the kerf binary}"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0

if ! "$KERF" env --json >"$tmp/env.json"; then
	echo "FAIL: kerf env --json exited non-zero"
	exit 1
fi
keys="kernel kernel_version cmdline cpu_vendor mitigations thp clocksource
smt governor boost virt kerf_version topology cgroup perf aslr libc build"
if command -v python3 >/dev/null; then
	python3 - "$tmp/env.json" $keys <<'PY' || fail=1
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["schema"] == "kerf.env/1", doc.get("schema")
env = doc["env"]
missing = [k for k in sys.argv[2:] if k not in env]
if missing:
	sys.exit("FAIL: env lacks " + " ".join(missing))
if not isinstance(doc["warnings"], list) or \
   not all(isinstance(w, str) for w in doc["warnings"]):
	sys.exit("FAIL: warnings is not a list of strings")
PY
elif command -v jq >/dev/null; then
	for k in $keys; do
		jq -e --arg k "$k" '.env | has($k)' "$tmp/env.json" >/dev/null ||
			{ echo "FAIL: env lacks $k"; fail=1; }
	done
	jq -e '.warnings | type == "array"' "$tmp/env.json" >/dev/null || fail=1
else
	echo "SKIP: neither python3 nor jq to parse JSON"
	exit 77
fi

"$KERF" env >"$tmp/env.txt" || { echo "FAIL: kerf env exited non-zero"; fail=1; }
grep -q '^  kernel: *[^ ]' "$tmp/env.txt" || { echo "FAIL: no kernel line"; fail=1; }
grep -q '^warnings:' "$tmp/env.txt" || { echo "FAIL: no warnings: line"; fail=1; }

"$KERF" env --help >/dev/null || { echo "FAIL: kerf env --help"; fail=1; }

"$KERF" env --bogus >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -ne 2 ]; then
	echo "FAIL: kerf env --bogus exited $rc, not 2"
	fail=1
fi
grep -q -- '--bogus' "$tmp/err" || { echo "FAIL: the message does not name --bogus"; fail=1; }
[ -s "$tmp/out" ] && { echo "FAIL: kerf env --bogus wrote to stdout"; fail=1; }
exit $fail
