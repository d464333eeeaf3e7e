"""A reader opens each chapter in a real JupyterLab, offline, runs all cells, and sees every chart
(drawn by JupyterLab's own Vega renderer from the outputs kzunrest emits)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid

import pytest
from playwright.sync_api import sync_playwright

from conftest import DATA, ROOT
from kzunrest.export import CHROMIUM_ARGS, chromium_path

FIGURES = {"01_protest_spread.ipynb": 3, "02_arrests_dismissals.ipynb": 1,
           "03_death_tolls.ipynb": 3, "04_claims_ledger.ipynb": 1}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab serving copies of the notebooks and data (the tests never touch the repo's)."""
    root = tmp_path_factory.mktemp("lab")
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    shutil.copytree(DATA, root / "data")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
         "--IdentityProvider.token=", "--ServerApp.password=", f"--ServerApp.root_dir={root}",
         "--allow-root", "--ContentsManager.allow_hidden=False"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(f"{url}/api/status", timeout=1)
            break
        except OSError:
            time.sleep(0.5)
    yield url
    server.terminate()
    server.wait(timeout=30)


@pytest.mark.parametrize("notebook", list(FIGURES))
def test_every_chart_draws_in_jupyterlab_offline(lab, notebook):
    external = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(),
                                             args=[*CHROMIUM_ARGS, "--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})

            def route(request_route):
                if request_route.request.url.startswith((lab, "data:", "blob:", "ws://127.0.0.1")):
                    return request_route.continue_()
                external.append(request_route.request.url)
                return request_route.abort()

            page.route("**/*", route)
            workspace = "t" + uuid.uuid4().hex[:8]
            page.goto(f"{lab}/lab/workspaces/{workspace}/tree/notebooks/{notebook}?reset")
            page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=120_000)
            page.wait_for_function("(document.querySelector('#jp-main-statusbar') || {})"
                                   ".textContent?.includes('Idle')", timeout=120_000)
            page.click("text=Run", timeout=10_000)
            page.click("text=Run All Cells", timeout=10_000)
            page.wait_for_function(
                "Array.from(document.querySelectorAll('.jp-RenderedVega5'))"
                f".filter(e => e.querySelector('svg, canvas')).length >= {FIGURES[notebook]}",
                timeout=180_000)
            errors = page.evaluate("""Array.from(document.querySelectorAll(
                '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"]'))
                .map(e => e.textContent)""")
            drawn = page.evaluate("Array.from(document.querySelectorAll('.jp-RenderedVega5'))"
                                  ".filter(e => e.querySelector('svg, canvas')).length")
        finally:
            browser.close()
    assert errors == []
    assert drawn == FIGURES[notebook]
    assert external == []
