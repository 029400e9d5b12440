# SPDX-License-Identifier: MIT
# Every text of every SVG under DIR lies inside the SVG's view box, its
# extent estimated on the wide side (0.62 em per character, 0.8 em above the
# baseline, 0.25 em below); with --compare, the comparison charts also keep
# at least half their width for the plot. Usage: svg_text.py DIR [--compare]
import glob, os, re, sys
import xml.etree.ElementTree as ET

EM_W, ASC, DESC = 0.62, 0.8, 0.25


def box(root):
    vb = root.get("viewBox")
    if vb:
        x, y, w, h = (float(v) for v in vb.replace(",", " ").split())
        return x, y, x + w, y + h
    return 0, 0, float(root.get("width")), float(root.get("height"))


def walk(el, tx, ty, rot, size, anchor, out):
    """Texts with their baseline point, rotation, font size and anchor."""
    t = el.get("transform", "")
    m = re.search(r"translate\(\s*([-\d.e]+)[ ,]+([-\d.e]+)\s*\)", t)
    if m:
        tx, ty = tx + float(m.group(1)), ty + float(m.group(2))
    m = re.search(r"rotate\(\s*([-\d.e]+)", t)
    if m:
        rot = float(m.group(1))
    if el.get("font-size"):
        size = float(re.sub("[a-z]+$", "", el.get("font-size")))
    m = re.search(r"font-size:\s*([\d.]+)", el.get("style", ""))
    if m:
        size = float(m.group(1))
    anchor = el.get("text-anchor", anchor)
    if el.tag.endswith("}text") or el.tag == "text":
        x = tx + float(el.get("x", 0))
        y = ty + float(el.get("y", 0))
        s = "".join(el.itertext())
        if s.strip():
            out.append((s, x, y, rot, size, anchor))
        return
    for c in el:
        walk(c, tx, ty, rot, size, anchor, out)


def extent(s, x, y, rot, size, anchor):
    w = len(s) * size * EM_W
    a = {"start": 0, "middle": 0.5, "end": 1}.get(anchor, 0)
    along = (-a * w, (1 - a) * w)
    across = (-ASC * size, DESC * size)
    if abs(rot) % 180 == 90:  # gnuplot's rotated y label: rotate(-90)
        s_ = -1 if rot < 0 else 1
        xs = sorted(x + s_ * -c for c in across)
        ys = sorted(y + s_ * v for v in along)
        return xs[0], ys[0], xs[1], ys[1]
    return x + along[0], y + across[0], x + along[1], y + across[1]


def main():
    d = sys.argv[1]
    bad = 0
    files = sorted(glob.glob(os.path.join(d, "**", "*.svg"), recursive=True))
    for f in files:
        root = ET.parse(f).getroot()
        x0, y0, x1, y1 = box(root)
        texts = []
        walk(root, 0, 0, 0, 12, "start", texts)
        for t in texts:
            a, b, c, e = extent(*t)
            if a < x0 or b < y0 or c > x1 or e > y1:
                print(f"FAIL: {f}: text {t[0]!r} spans "
                      f"({a:.0f},{b:.0f})-({c:.0f},{e:.0f}), outside "
                      f"the view box ({x0:.0f},{y0:.0f})-({x1:.0f},{y1:.0f})")
                bad = 1
    if "--compare" in sys.argv:
        gps = glob.glob(os.path.join(d, "plots", "compare-*.gp"))
        if not gps:
            print("FAIL: no comparison chart")
            bad = 1
        for g in gps:
            src = open(g).read()
            lm = re.search(r"set lmargin at screen ([\d.]+)", src)
            rm = re.search(r"set rmargin at screen ([\d.]+)", src)
            if not lm or not rm or float(rm[1]) - float(lm[1]) < 0.5:
                print(f"FAIL: {g}: the plot area is under half the width")
                bad = 1
    print(f"checked {len(files)} SVGs")
    return bad


sys.exit(main())
