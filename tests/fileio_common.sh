# SPDX-License-Identifier: MIT
# Helpers the fileio shell tests share (sourced, not run).

fileio_fail()
{
	echo "FAIL: $*" >&2
	[ -n "${dir:-}" ] && [ -f "$dir/log" ] && cat "$dir/log" >&2
	exit 1
}

# A fresh directory on a disk (not tmpfs) under the build tree, or return 1.
fileio_diskdir()
{
	local d fs

	d=$(mktemp -d "${KERF_BUILD:-$PWD}/fileio.XXXXXX") || return 1
	fs=$(stat -f -c %T "$d")
	case $fs in
	tmpfs|ramfs)
		echo "SKIP: $d is on $fs, whose pages cannot be dropped" >&2
		rm -rf "$d"
		return 1
		;;
	esac
	echo "$d"
}

# fileio_run DIR KERF-RUN-ARGS...: a quick run into DIR/out, log in DIR/log.
fileio_run()
{
	local d=$1

	shift
	"$KERF" run --quick --out "$d/out" -p dir="$d" "$@" >"$d/log" 2>&1
	local rc=$?
	if [ ! -f "$d/out/run.json" ]; then
		echo "FAIL: kerf run exited $rc without run.json" >&2
		cat "$d/log" >&2
		return 1
	fi
	return 0
}

# fileio_check RUN.JSON MESSAGE PYTHON-EXPRESSION: fail with MESSAGE unless
# the expression, over R (the list of results), is true.
fileio_check()
{
	python3 - "$1" "$3" <<'PY' || fileio_fail "$2"
import json, sys
R = json.load(open(sys.argv[1]))["results"]
def met(r, k):
    return r.get("metrics", {}).get(k, {}).get("value")
ok = eval("(" + sys.argv[2] + ")")
if not ok:
    for r in R:
        print(r["bench"], r["params"], r["status"], r.get("reason", ""),
              {k: v["value"] for k, v in r.get("metrics", {}).items()},
              r.get("warnings", []), file=sys.stderr)
sys.exit(0 if ok else 1)
PY
}
