# SPDX-License-Identifier: MIT
# Sourced by the usage-error tests: expect_2, run in an empty directory.

# expect_2 PATTERN-IN-MESSAGE ARGS...: kerf ARGS exits 2 with PATTERN in
# its message and writes nothing (no file in the directory but out, err).
# Sets fail=1 on a miss.
expect_2() {
	local want=$1 rc
	shift
	timeout 60 "$KERF" "$@" >out 2>err
	rc=$?
	if [ $rc -ne 2 ]; then
		echo "FAIL: kerf $* exited $rc, want 2"; cat err; fail=1
	elif ! grep -qF -- "$want" err; then
		echo "FAIL: kerf $*: message lacks '$want':"; cat err; fail=1
	else
		echo "ok: kerf $*: $(head -1 err)"
	fi
	if [ -n "$(ls -A | grep -v '^out$\|^err$')" ]; then
		echo "FAIL: kerf $* wrote files: $(ls -A)"; fail=1
		find . -mindepth 1 -maxdepth 1 ! -name out ! -name err \
			-exec rm -rf {} +
	fi
}
