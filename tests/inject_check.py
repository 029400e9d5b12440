#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Hostile run.json files: payloads (backquotes, system(), !cmd, newlines,
# quotes, semicolons, escape sequences incl. OSC 52, Markdown and HTML
# markup, formula prefixes) in every string field and in the keys of
# params, metrics, figures, timelines and env, and in a run directory's
# name. MODE report: kerf report (one run, two runs, a run directory) and
# kerf export (every format); MODE compare: kerf compare (text, md, json).
# Asserts: no command ran (no canary file), nothing outside the output
# directories changed, and every output is still well-formed.
import csv
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

KERF = os.environ["KERF"]
GOLDEN = os.path.join(os.environ["KERF_TESTS"], "golden", "export")

# Each payload tries one way out; kc- files are the canaries.
KINDS = {
    "bq": "`touch kc-bq`",
    "dq": '"; print system("touch kc-dq"); x="',
    "sq": "'; print system('touch kc-sq'); x='",
    "bang": "\n!touch kc-bang\n",
    "out": "\nset output 'kc-out'\nprint 1\n",
    "semi": "; system('touch kc-semi'); ",
    "esc": "\x1b]52;c;a2VyZg==\x07\x1b[31mred\x1b[0m\u009b2J\x1bP1$r\x1b\\",
    "md": " | x | y |\n|---|---|\n<script>alert(1)</script>[l](http://x)",
    "csv": "=HYPERLINK(\"http://x\")",
}
ALL = "".join(KINDS.values())
# values that give a result its meaning; the rest all get payloads
KEEP = {"status", "schema", "better", "mode"}
KEYED = {"params", "metrics", "figures", "timeline", "env", "info"}
# the columns a memory timeline is drawn from: kept in the per-kind files so
# that plot is drawn (its pressure columns are poisoned), poisoned in "all"
MEMCOLS = {"t_ms", "usage", "anon", "file", "shmem", "limit"}

fails = []


def fail(msg):
    fails.append(msg)
    print("FAIL: " + msg)


def poison(j, p, parent=None, keep=MEMCOLS):
    """Payload P in every string value, and in the keys under KEYED."""
    if isinstance(j, dict):
        out = {}
        for k, v in j.items():
            nk = k
            if parent in KEYED and k not in keep:
                nk = k + p
            if k == "bench" and isinstance(v, str) and "/" in v:
                fam, var = v.split("/", 1)
                out[nk] = fam + p + "/" + var + p
            elif k in KEEP:
                out[nk] = v
            else:
                out[nk] = poison(v, p, k if parent != "env" else "env",
                                 keep)
        return out
    if isinstance(j, list):
        return [poison(v, p, parent, keep) for v in j]
    if isinstance(j, str):
        return j + p
    return j


def snapshot(root, skip):
    snap = {}
    for d, dirs, files in os.walk(root):
        if any(d == s or d.startswith(s + os.sep) for s in skip):
            continue
        for f in files:
            st = os.lstat(os.path.join(d, f))
            snap[os.path.join(d, f)] = (st.st_size, st.st_mtime_ns)
    return snap


def run(work, args):
    try:
        return subprocess.run([KERF] + args, cwd=work,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=120)
    except subprocess.TimeoutExpired:
        fail("kerf %s: still running after 120 s" % " ".join(args)[:200])
        return subprocess.CompletedProcess(args, 124, b"", b"timeout")


def no_controls(name, data):
    text = data.decode("utf-8", "replace")
    bad = [c for c in text if (ord(c) < 32 and c not in "\n\t") or
           0x7f <= ord(c) <= 0x9f]
    if bad:
        fail("%s holds control characters %r" % (name, sorted(set(bad))))


def check_report(out):
    """Every SVG parses, no file holds a control character, the page no
    raw markup from the payload."""
    n = 0
    for d, _, files in os.walk(out):
        for f in files:
            path = os.path.join(d, f)
            data = open(path, "rb").read()
            if f.endswith(".png"):
                continue
            no_controls(path, data)
            if f.endswith(".svg"):
                n += 1
                try:
                    ET.parse(path)
                except ET.ParseError as e:
                    fail("%s does not parse: %s" % (path, e))
    page = open(os.path.join(out, "index.html"), encoding="utf-8").read()
    if "<script>" in page:
        fail(out + "/index.html holds a raw <script>")
    return n


def check_export(work, evil, fmt):
    path = os.path.join(work, "exp", "x." + fmt)
    r = run(work, ["export", evil, "--format", fmt, "-o", path])
    if r.returncode:
        fail("export %s: exit %d: %s" % (fmt, r.returncode, r.stderr))
        return
    data = open(path, "rb").read()
    no_controls(path, data)
    if fmt != "csv":
        json.loads(data)
        return
    rows = list(csv.reader(io.StringIO(data.decode())))
    for i, row in enumerate(rows):
        if len(row) != len(rows[0]):
            fail("csv row %d has %d cells, header %d" %
                 (i, len(row), len(rows[0])))
        for c in row:
            if c[:1] in ("=", "+", "-", "@") and not re.fullmatch(
                    r"-?[0-9.e+-]+", c):
                fail("csv cell starts a formula: %r" % c[:40])


def md_cells(line):
    return len(re.findall(r"(?<!\\)\|", line))


def check_compare(work, base, new):
    allow = ("kernel,cpu_model,microcode,mitigations,thp,clocksource,smt,"
             "governor,boost,virt,kerf_version")
    for fmt in ("text", "md", "json"):
        r = run(work, ["compare", base, new, "--format", fmt,
                       "--allow-single-run",
                       "--allow-env-diff", allow])
        if r.returncode not in (0, 1):
            fail("compare %s: exit %d: %s" % (fmt, r.returncode,
                                               r.stderr[-300:]))
            continue
        no_controls("compare --format %s stdout" % fmt, r.stdout)
        no_controls("compare --format %s stderr" % fmt, r.stderr)
        if fmt == "json":
            json.loads(r.stdout)
        if fmt != "md":
            continue
        table = [l for l in r.stdout.decode().splitlines()
                 if l.startswith("|")]
        if not table:
            fail("compare md: no table")
        for l in table:
            if md_cells(l) != md_cells(table[0]):
                fail("compare md: row %r has %d pipes, header %d" %
                     (l[:80], md_cells(l), md_cells(table[0])))
                break
        if "<script>" in r.stdout.decode():
            fail("compare md: raw <script>")


def main():
    mode = sys.argv[1]
    base = json.load(open(os.path.join(GOLDEN, "run.json")))
    new = json.load(open(os.path.join(GOLDEN, "new.json")))
    with tempfile.TemporaryDirectory() as work:
        os.mkdir(os.path.join(work, "exp"))
        files = {}
        for k, p in list(KINDS.items()) + [("all", ALL)]:
            for tag, doc in (("base", base), ("new", new)):
                f = os.path.join(work, "%s-%s.json" % (k, tag))
                json.dump(poison(doc, p, keep=MEMCOLS if k != "all" else
                                 {"t_ms"}), open(f, "w"))
                files[k, tag] = f
        # a run directory named with the payloads ('/' cannot be in it)
        rdir = os.path.join(work, "run`touch kc-dir`\n!touch kc-dirbang\n"
                            "'\"; print system(\"touch kc-dirsys\"); x=\""
                            "\x1b]52;c;eA==\x07 | a | b |")
        os.mkdir(rdir)
        short = KINDS["bq"] + KINDS["esc"]
        json.dump(poison(base, short), open(os.path.join(rdir, "run.json"),
                                            "w"))
        files["dir", "new"] = os.path.join(work, "dir-new.json")
        json.dump(poison(new, short), open(files["dir", "new"], "w"))
        outs = [os.path.join(work, "out-" + k) for k in KINDS]
        outs += [os.path.join(work, o) for o in ("two", "dir", "exp")]
        before = snapshot(work, outs)
        svgs = 0
        if mode == "report":
            for k in KINDS:
                out = os.path.join(work, "out-" + k)
                r = run(work, ["report", files[k, "base"], "-o", out])
                if r.returncode:
                    fail("report %s: exit %d: %s" %
                         (k, r.returncode, r.stderr[-300:]))
                    continue
                svgs += check_report(out)
            for out, args in (("two", [files["all", "base"],
                                       files["all", "new"]]),
                              ("dir", [rdir, files["dir", "new"]])):
                out = os.path.join(work, out)
                r = run(work, ["report"] + args + ["-o", out])
                if r.returncode:
                    fail("report %s: exit %d: %s" %
                         (out, r.returncode, r.stderr[-300:]))
                    continue
                svgs += check_report(out)
            for fmt in ("gbench", "bmf", "csv"):
                check_export(work, files["all", "base"], fmt)
            if svgs < 20:
                fail("only %d SVGs drawn" % svgs)
        else:
            for k in KINDS:
                check_compare(work, files[k, "base"], files[k, "new"])
            check_compare(work, rdir, files["dir", "new"])
        canaries = [os.path.join(d, f) for d, _, fs in os.walk(work)
                    for f in fs if f.startswith("kc-")]
        if canaries:
            fail("a payload ran: " + ", ".join(canaries))
        after = snapshot(work, outs)
        changed = [p for p in set(before) | set(after)
                   if before.get(p) != after.get(p)]
        if changed:
            fail("files outside the output directories changed: " +
                 ", ".join(sorted(changed)[:5]))
        print("checked %s: %d payload kinds, %d SVGs" %
              (mode, len(KINDS), svgs))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
