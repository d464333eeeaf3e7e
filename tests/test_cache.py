"""The execution cache names every reason a chapter must run again (cache.py's promise): its data
file edited, its notebook's code edited, a parameter changed, the kzunrest code changed, the
installed packages changed; and nothing else makes it stale. Real files, real digests; the build
through the real CLI is in test_build.py."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest

from conftest import DATA, ROOT
from kzunrest import cache
from kzunrest.render import META_KEY, VEGA_MIMETYPE, spec_digest

PARAMETERS = {"figures": "all", "data_dir": "data"}


@pytest.fixture
def chapter(tmp_path: Path):
    """A chapter's inputs in tmp_path and the record of an execution that read them."""
    notebook = tmp_path / "03_death_tolls.ipynb"
    shutil.copy(ROOT / "notebooks" / notebook.name, notebook)
    data = tmp_path / "death_tolls.csv"
    shutil.copy(DATA / data.name, data)
    executed = tmp_path / "executed.ipynb"
    executed.write_text("{}", encoding="utf-8")
    current = cache.fingerprint(notebook, PARAMETERS, [str(data)], "package-1", "environment-1")
    cache.save_record(tmp_path, "03_death_tolls", current)
    record = cache.load_record(tmp_path, "03_death_tolls")

    def why(parameters=PARAMETERS, package="package-1", environment="environment-1"):
        now = cache.fingerprint(notebook, parameters, list(record["reads"]), package, environment)
        return cache.why_stale(record, now, executed)

    return notebook, data, executed, why


def edit_code(notebook: Path, change) -> None:
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    change(nb)
    notebook.write_text(json.dumps(nb), encoding="utf-8")


def test_nothing_changed_is_not_stale(chapter):
    *_, why = chapter
    assert why() is None


def test_data_file_edited(chapter):
    _, data, _, why = chapter
    data.write_text(data.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert why() == "data changed: death_tolls.csv"


def test_data_file_removed(chapter):
    _, data, _, why = chapter
    data.unlink()
    assert why() == "data changed: death_tolls.csv"


def test_notebook_code_edited(chapter):
    notebook, _, _, why = chapter
    code = next(c for c in json.loads(notebook.read_text(encoding="utf-8"))["cells"]
                if c["cell_type"] == "code")
    edit_code(notebook, lambda nb: next(c for c in nb["cells"] if c["source"] == code["source"])
              ["source"].append("\n# edited"))
    assert why() == "notebook code changed"


def test_notebook_outputs_and_metadata_do_not_count(chapter):
    notebook, _, _, why = chapter

    def run(nb):
        for cell in nb["cells"]:
            if cell["cell_type"] == "code":
                cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "x"}]
                cell["execution_count"] = 7
        nb["metadata"]["widgets"] = {"state": {}}

    edit_code(notebook, run)
    assert why() is None


@pytest.mark.parametrize("parameters", [{"figures": "official", "data_dir": "data"},
                                        {"figures": "all", "data_dir": "other-data"},
                                        {"figures": "all"}])
def test_parameter_changed(chapter, parameters):
    *_, why = chapter
    assert why(parameters=parameters) == "parameters changed"


def test_kzunrest_code_changed(chapter, tmp_path, monkeypatch):
    *_, why = chapter
    copy = tmp_path / "kzunrest"
    shutil.copytree(cache.PACKAGE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(cache, "PACKAGE_DIR", copy)
    before = cache.package_code_digest()
    (copy / "analysis.py").write_text((copy / "analysis.py").read_text() + "\n# edited\n")
    after = cache.package_code_digest()
    assert before != after
    (copy / "templates" / "kzreport" / "extra.css").write_text("p {}\n")  # templates count too
    assert cache.package_code_digest() not in {before, after}
    assert why(package=after) == "kzunrest code changed"


def test_installed_packages_changed(chapter, tmp_path, monkeypatch):
    *_, why = chapter
    before = cache.environment_digest()
    site = tmp_path / "site"
    (site / "newpkg-1.0.dist-info").mkdir(parents=True)
    (site / "newpkg-1.0.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: newpkg\nVersion: 1.0\n")
    monkeypatch.syspath_prepend(str(site))
    installed = cache.environment_digest()
    assert installed != before
    (site / "newpkg-1.0.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: newpkg\nVersion: 1.1\n")  # an upgrade
    assert cache.environment_digest() not in {before, installed}
    assert why(environment=installed) == "installed packages changed"


def test_every_reason_is_named_together(chapter):
    notebook, data, _, why = chapter
    data.write_text("", encoding="utf-8")
    edit_code(notebook, lambda nb: nb["cells"].append(
        {"cell_type": "code", "source": ["1"], "metadata": {}, "outputs": [], "execution_count": None}))
    assert why({"figures": "official"}, "package-2", "environment-2") == (
        "notebook code changed; parameters changed; kzunrest code changed; installed packages "
        "changed; data changed: death_tolls.csv")


def test_no_record_or_no_executed_notebook(chapter, tmp_path):
    notebook, data, executed, why = chapter
    now = cache.fingerprint(notebook, PARAMETERS, [str(data)], "package-1", "environment-1")
    assert cache.why_stale(None, now, executed) == "no earlier execution"
    executed.unlink()
    assert why() == "no earlier execution"
    (tmp_path / "cache" / "03_death_tolls.json").write_text("{not json")
    assert cache.load_record(tmp_path, "03_death_tolls") is None


def test_package_digest_covers_descriptor_and_every_listed_file(tmp_path):
    shutil.copytree(DATA, tmp_path / "data")
    directory = tmp_path / "data"
    before = cache.package_digest(directory)
    names = {p.name for p in cache.data_files(directory)}
    assert names == {"datapackage.json"} | {p.name for p in DATA.glob("*.csv")}
    (directory / "README.md").write_text("edited")  # not a data file
    assert cache.package_digest(directory) == before
    (directory / "claims.csv").write_bytes((directory / "claims.csv").read_bytes() + b"\n")
    assert cache.package_digest(directory) != before


def _vega(title: str, values: list[int]) -> dict:
    import vl_convert

    return vl_convert.vegalite_to_vega({
        "title": title, "data": {"values": [{"x": v} for v in values]},
        "mark": {"type": "bar", "clip": True},  # clipped marks: the SVG holds a clip path
        "encoding": {"x": {"field": "x", "type": "quantitative"}}})


def test_static_svg_is_rendered_once_per_chart_and_the_same_whatever_came_before(tmp_path):
    first, second = _vega("First", [1, 2, 3]), _vega("Second", [4, 5])
    one = tmp_path / "one"
    svg = cache.static_svg(one, first)
    assert svg.startswith("<svg") and "First" in svg
    stored = list((one / "cache" / "svg").glob("*.svg"))
    assert len(stored) == 1
    stored[0].write_text(svg.replace("First", "From the store"), encoding="utf-8")
    assert "From the store" in cache.static_svg(one, first)  # not rendered again
    # Another build that rendered other charts before this one: the same bytes (vl-convert's
    # clip-path counter runs on across a process; each image counts from 1).
    other = tmp_path / "other"
    cache.static_svg(other, second)
    cache.static_svg(other, second | {"width": 300})
    assert cache.static_svg(other, first) == svg
    assert 'id="clip1"' in svg


def test_an_svg_drawn_in_a_chapter_kernel_is_kept_as_if_rendered_here(tmp_path):
    import vl_convert

    first, second = _vega("First", [1, 2, 3]), _vega("Second", [4, 5])
    here = cache.static_svg(tmp_path / "here", first)
    vl_convert.vega_to_svg(second)  # the kernel drew other charts first: its clip counter ran on
    drawn = vl_convert.vega_to_svg(first)
    assert 'id="clip1"' not in drawn
    assert cache.static_svg(tmp_path / "kernel", first, drawn) == here
    # and it is stored: the same spec later comes from the store, whatever is offered
    assert cache.static_svg(tmp_path / "kernel", first, "<svg>other</svg>") == here


def test_report_state_names_what_is_missing_or_built_from_other_inputs(tmp_path):
    html, pdf = tmp_path / "report.html", tmp_path / "report.pdf"
    html.write_text("html")
    assert cache.why_report_stale(tmp_path, "key-1", [html]) == "report.html built from other inputs"
    cache.save_report(tmp_path, "key-1", {"report.html": "content-html"})
    assert cache.why_report_stale(tmp_path, "key-1", [html]) is None
    assert cache.why_report_stale(tmp_path, "key-1", [html, pdf]) == "report.pdf missing"
    pdf.write_text("pdf")
    assert cache.why_report_stale(tmp_path, "key-1", [html, pdf]) == "report.pdf built from other inputs"
    cache.save_report(tmp_path, "key-1", {"report.pdf": "content-pdf"})  # HTML kept its entry
    assert cache.published_content(tmp_path) == {"report.html": "content-html", "report.pdf": "content-pdf"}
    assert cache.why_report_stale(tmp_path, "key-2", [html]) == "report.html built from other inputs"


def _report_with_figure(vega: dict, svg: str, drawn_from: str) -> nbformat.NotebookNode:
    output = nbformat.v4.new_output("display_data", data={VEGA_MIMETYPE: vega, "image/svg+xml": svg},
                                    metadata={META_KEY: {"figure": True, "number": 1,
                                                         "svg_drawn_from": drawn_from}})
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(outputs=[output])])


def test_a_kernel_svg_is_used_only_when_drawn_from_the_spec_the_report_carries(tmp_path):
    """A chapter reused from the cache drew its SVG with the Sources numbers of its own run; if
    the list was renumbered since, the report's spec differs and the SVG is drawn again."""
    from kzunrest.build import with_static_images

    vega = _vega("First", [1, 2, 3])
    kept = _report_with_figure(vega, "<svg>drawn in the kernel</svg>", spec_digest(vega))
    with_static_images(kept, tmp_path / "kept")
    assert kept.cells[0].outputs[0].data["image/svg+xml"] == "<svg>drawn in the kernel</svg>"

    stale = _report_with_figure(vega, "<svg>drawn with other numbers</svg>", spec_digest(_vega("First", [1, 2])))
    with_static_images(stale, tmp_path / "stale")
    svg = stale.cells[0].outputs[0].data["image/svg+xml"]
    assert "other numbers" not in svg and "First" in svg and 'id="figure1-clip1"' in svg


def test_each_pdf_chart_image_is_drawn_from_the_spec_as_the_report_numbers_it(built_report, tmp_path):
    """The chapter kernels draw the PDF's chart images from the spec with the report's source
    numbers in its tooltips (render.REPORT_SOURCES); each must equal what that spec draws here."""
    from kzunrest.build import assemble_stage
    from kzunrest.config import load_config

    report, _ = assemble_stage(load_config(None), DATA, built_report)
    figures = [o for cell in report.cells for o in cell.get("outputs", [])
               if o.get("metadata", {}).get(META_KEY, {}).get("figure")]
    assert len(figures) >= 9
    for output in figures:
        vega, drawn = output.data[VEGA_MIMETYPE], output.data["image/svg+xml"]
        assert output.metadata[META_KEY]["svg_drawn_from"] == spec_digest(vega)
        assert cache.static_svg(tmp_path / "kernel", vega, drawn) == cache.static_svg(tmp_path / "here", vega)
    # ... and not from the spec as the chapter made it (before the report numbered its sources)
    chapters = [o for path in sorted((built_report / "chapters").glob("0*.ipynb"))
                for cell in nbformat.read(path, as_version=4).cells for o in cell.get("outputs", [])
                if o.get("metadata", {}).get(META_KEY, {}).get("figure")]
    assert len(chapters) == len(figures)
    assert any(spec_digest(own.data[VEGA_MIMETYPE]) != output.metadata[META_KEY]["svg_drawn_from"]
               for own, output in zip(chapters, figures))


def test_the_vega_bundle_is_made_once_per_vl_convert_version_and_then_read(tmp_path, monkeypatch):
    """Bundling Vega takes vl-convert about 1.5 s with the interpreter's lock held: it is made in
    a process of its own (here it would stall the threads driving the kernels), and the HTML's
    copy is kept in the build's cache, named after the vl-convert version."""
    from importlib import metadata

    import vl_convert

    def not_here():
        raise AssertionError("bundled in the build's own process")

    monkeypatch.setattr(vl_convert, "javascript_bundle", not_here)

    bundle = cache.vega_bundle(tmp_path)
    assert "vegaEmbed" in bundle and len(bundle) > 100_000
    kept = tmp_path / "cache" / "vega" / f"vega-embed-{metadata.version('vl-convert-python')}.js"
    assert kept.read_text(encoding="utf-8") == bundle
    kept.write_text("// kept", encoding="utf-8")
    assert cache.vega_bundle(tmp_path) == "// kept"


def test_a_kept_part_of_the_pdf_is_found_only_as_it_was_printed_and_by_the_same_code(tmp_path):
    from kzunrest.splice import PrintedPart

    printed = PrintedPart("key-a", b"%PDF-1.4 part a", 3, {"fig-1": 2})
    store = cache.PrintedParts(tmp_path, "code 1")
    store.put(printed)
    store.put(PrintedPart("key-b", b"%PDF-1.4 part b", 1, {}))
    again = cache.PrintedParts(tmp_path, "code 1")  # the next build
    assert again.get("key-a") == printed and again.reused == 1
    assert cache.PrintedParts(tmp_path, "code 2").get("key-a") is None  # printed by other code
    again.keep_only({"key-a"})
    assert again.get("key-b") is None and again.get("key-a") == printed

    (kept,) = (tmp_path / "cache" / "pdf-parts").glob("*.pdf")
    kept.write_bytes(b"%PDF-1.4 part")  # cut short
    assert cache.PrintedParts(tmp_path, "code 1").get("key-a") is None
