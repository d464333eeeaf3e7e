"""The work no pipeline can avoid, in one plain Python process (the benchmark's "floor"):
validate the data once, run every chapter's code cells (as report.yml lists them, with their
parameters) in one in-process IPython shell, render each chart to SVG with vl-convert, write one
HTML file of the outputs and print it to PDF with the same Chromium as the build.

No kernels, no Papermill, no nbconvert, no cache: the chapters' own code is all that runs, so the
floor changes when they do.

    python scripts/floor.py OUTPUT_DIR [DATA_DIR]
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from kzunrest import kernels

kernels.skip_unused_imports()  # as the build does: an import no pipeline needs (see kernels.py)

from IPython.core.interactiveshell import InteractiveShell  # noqa: E402

from kzunrest import cache, data, render  # noqa: E402
from kzunrest.config import load_config  # noqa: E402
from kzunrest.export import print_pdf  # noqa: E402


def chapter_outputs(shell: InteractiveShell, notebook: Path, parameters: dict) -> list[dict]:
    """Run one chapter's code cells in ``shell`` (parameters injected after its parameters cell);
    return the mimebundles it displayed."""
    shown: list[dict] = []
    shell.display_pub.publish = lambda data, metadata=None, **_: shown.append(data)
    shell.reset(new_session=False)
    os.chdir(notebook.parent)
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] != "code":
            continue
        code = "".join(cell["source"])
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            code += "\n" + "\n".join(f"{name} = {value!r}" for name, value in parameters.items())
        result = shell.run_cell(code, store_history=False)
        result.raise_error()
    return shown


def main(out: Path, data_dir: str | None) -> None:
    directory = data.resolve_data_dir(data_dir).resolve()
    problems = data.validate(directory)
    if problems:
        raise data.DataError(problems)
    data.enter_build({"validated": cache.package_digest(directory)})  # validated once, above
    render.STATIC_SVG = True
    shell = InteractiveShell.instance()
    parts = []
    for chapter in load_config(None).chapters:
        for bundle in chapter_outputs(shell, chapter.notebook,
                                      {**chapter.parameters, "data_dir": str(directory)}):
            if "image/svg+xml" in bundle:
                parts.append(f"<figure>{bundle['image/svg+xml']}</figure>")
            elif "text/html" in bundle:
                parts.append(bundle["text/html"])
    html = ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>floor</title></head><body>"
            + "".join(parts) + "</body></html>")
    out.mkdir(parents=True, exist_ok=True)
    (out / "floor.html").write_text(html, encoding="utf-8")
    (out / "floor.pdf").write_bytes(print_pdf(html)[0])


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve(), sys.argv[2] if len(sys.argv) > 2 else None)
