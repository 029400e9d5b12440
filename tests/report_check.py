# SPDX-License-Identifier: MIT
# Checks a kerf report directory: every expected plot is a well-formed SVG
# and a PNG, every href and src of index.html names a file that exists.
import html.parser, os, sys, xml.etree.ElementTree as ET

PNG = b"\x89PNG\r\n\x1a\n"


class Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.refs = []

    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k in ("href", "src") and v is not None:
                self.refs.append((tag, k, v))


def main():
    d, plots = sys.argv[1], sys.argv[2].split(",") if sys.argv[2] else []
    bad = 0
    for p in plots:
        svg = os.path.join(d, "plots", p + ".svg")
        png = os.path.join(d, "plots", p + ".png")
        try:
            root = ET.parse(svg).getroot()
            if not root.tag.endswith("svg"):
                raise ValueError("root element is " + root.tag)
        except Exception as e:
            print(f"FAIL: {svg}: {e}")
            bad = 1
        try:
            with open(png, "rb") as f:
                head = f.read(8)
            if head != PNG or os.path.getsize(png) < 1000:
                raise ValueError("not a PNG, or nearly empty")
        except Exception as e:
            print(f"FAIL: {png}: {e}")
            bad = 1
    page = open(os.path.join(d, "index.html"), encoding="utf-8").read()
    links = Links()
    links.feed(page)
    for tag, k, v in links.refs:
        if v.startswith("#"):
            continue
        if "://" in v or v.startswith("//"):
            print(f"FAIL: {tag} {k}={v} leaves the directory")
            bad = 1
        elif not os.path.isfile(os.path.join(d, v)):
            print(f"FAIL: {tag} {k}={v} does not exist")
            bad = 1
    if "<script" in page.lower():
        print("FAIL: the page has a script")
        bad = 1
    imgs = sum(1 for t, k, v in links.refs if t == "img")
    print(f"checked {len(plots)} plots, {len(links.refs)} links, "
          f"{imgs} images")
    return bad


sys.exit(main())
