#!/bin/bash
# SPDX-License-Identifier: MIT
# Hostile strings in run.json files and a run directory's name: kerf report
# and kerf export run no command, write only under -o, and stay well-formed.
if ! command -v gnuplot >/dev/null || ! command -v python3 >/dev/null; then
	echo "skip: needs gnuplot and python3: apt-get install -y gnuplot-nox python3"
	exit 77
fi
exec python3 "$KERF_TESTS/inject_check.py" report
