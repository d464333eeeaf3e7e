"""Render the README's pictures from an executed build: figures 1 and 3 of build/chapters/."""

from pathlib import Path

import nbformat
import vl_convert

ROOT = Path(__file__).resolve().parents[1]
WANTED = {"01_protest_spread.ipynb": {0: "spread-map.png", 2: "spread-daily.png"}}

for notebook, figures in WANTED.items():
    nb = nbformat.read(ROOT / "build" / "chapters" / notebook, as_version=4)
    svgs = [o["data"]["image/svg+xml"] for c in nb.cells for o in c.get("outputs", [])
            if "image/svg+xml" in o.get("data", {})]
    for index, name in figures.items():
        (ROOT / "docs" / name).write_bytes(vl_convert.svg_to_png(svgs[index], scale=1.5))
        print("wrote", ROOT / "docs" / name)
