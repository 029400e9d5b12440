#!/bin/bash
# SPDX-License-Identifier: MIT
# Hostile strings in run.json files and a run directory's name: kerf compare
# (text, md, json) runs no command, prints no control character, and its
# Markdown table keeps its columns.
if ! command -v python3 >/dev/null; then
	echo "skip: needs python3"
	exit 77
fi
exec python3 "$KERF_TESTS/inject_check.py" compare
