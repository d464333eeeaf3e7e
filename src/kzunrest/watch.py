"""``kzunrest watch``: rebuild the report whenever one of its inputs is saved, and show it in the
browser, which reloads by itself.

One process stays up: the libraries the build and the chapters use are imported once, and chapter
kernels are forked from it ahead of the next change (see :mod:`kzunrest.kernels`), so a change
pays only for validating the data, the chapters it touches and the HTML. The report is served on
localhost only; the reload script is added to the page as it is served, never to
``build/report.html``. The PDF is not printed while watching (``kzunrest build`` prints it).
"""

from __future__ import annotations

import html
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .build import Options, build, data_dir_option, kernel_pool, output_dir, report_inputs, say
from .config import ConfigError, load_config

VERSION_PATH = "/__version"
# Polls the version of the report on the server; reloads the page when it changes.
RELOAD_SCRIPT = (
    "<script>/* kzunrest watch: reload when the report is rebuilt (preview only) */"
    "(function(){var seen=null;setInterval(function(){fetch('" + VERSION_PATH + "',"
    "{cache:'no-store'}).then(function(r){return r.text()}).then(function(v){"
    "if(seen===null){seen=v}else if(v!==seen){location.reload()}}).catch(function(){})},250)})();"
    "</script>")


def report_version(report: Path) -> str:
    try:
        stat = report.stat()
    except OSError:
        return "none"
    return f"{stat.st_mtime_ns}-{stat.st_size}"


class PreviewHandler(SimpleHTTPRequestHandler):
    """Serves the output folder; the report page with the reload script added."""

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        report = Path(self.directory) / "report.html"
        if self.path == VERSION_PATH:
            return self._send(report_version(report).encode(), "text/plain")
        if self.path in ("/", "/report.html"):
            try:
                page = report.read_text(encoding="utf-8")
            except OSError:
                page = ("<!DOCTYPE html><meta charset='utf-8'><title>kzunrest watch</title>"
                        f"<p>No report yet in {html.escape(str(report.parent))}; building…</p>")
            end = page.rfind("</body>")
            page = page[:end] + RELOAD_SCRIPT + page[end:] if end >= 0 else page + RELOAD_SCRIPT
            return self._send(page.encode("utf-8"), "text/html; charset=utf-8")
        if self.path == "/report.pdf":
            return super().do_GET()
        self.send_error(404)

    def _send(self, body: bytes, kind: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:  # quiet: the build's own lines are what matter
        pass


def serve(out: Path, port: int) -> ThreadingHTTPServer:
    """The preview server on 127.0.0.1 (never another interface), in a background thread."""
    server = ThreadingHTTPServer(("127.0.0.1", port), partial(PreviewHandler, directory=str(out)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _snapshot(paths: list[Path]) -> dict[Path, tuple[int, int] | None]:
    state = {}
    for path in paths:
        try:
            stat = path.stat()
            state[path] = (stat.st_mtime_ns, stat.st_size)
        except OSError:
            state[path] = None
    return state


def _inputs(options: Options) -> list[Path]:
    directory = data_dir_option(options.data_dir)
    try:
        return report_inputs(load_config(options.config), directory)
    except ConfigError:
        return [options.config or Path("report.yml"), *directory.iterdir()]


def watch(options: Options, port: int = 8000, interval: float = 0.1) -> int:
    """Build, serve, and build again on every change until interrupted (Ctrl-C)."""
    from . import kernels
    from .data import DataError
    from .errors import ChapterError, ExportError

    options.pdf = False
    out = output_dir(options.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    kernels.warm_up()
    pool = kernel_pool()
    pool.start()  # the fork server, before the server's thread and vl-convert's runtime start
    _warm_build_libraries()
    server = serve(out, port)
    say(f"serving http://127.0.0.1:{server.server_address[1]}/ — the report reloads itself "
        "after each rebuild (Ctrl-C to stop)")
    try:
        while True:
            inputs = _inputs(options)
            seen = _snapshot(inputs)
            try:
                build(options, pool=pool)
            except DataError as error:
                for problem in error.problems:
                    say(str(problem))
                say(f"{len(error.problems)} problem(s) in the data; the report shown is the previous one")
            except (ChapterError, ExportError, ConfigError) as error:
                say(f"error: {error}\nthe report shown is the previous one")
            # Kernels for the next change, forked now while nothing is waiting on them.
            pool.fill(_chapter_count(options))
            say("watching for changes…")
            while _snapshot(inputs) == seen:
                time.sleep(interval)
            say("change seen, rebuilding")
    except KeyboardInterrupt:
        say("stopped")
        return 0
    finally:
        pool.close()
        server.shutdown()


def _chapter_count(options: Options) -> int:
    """Kernels to keep ready: a change to one file touches one chapter, or a few."""
    try:
        return min(2, len(load_config(options.config).chapters))
    except ConfigError:
        return 1


def _warm_build_libraries() -> None:
    """What every rebuild uses besides the chapters' libraries: imported once."""
    import importlib

    for name in ("frictionless", "nbconvert.exporters", "papermill", "kzunrest.export",
                 "kzunrest.assemble"):
        try:
            importlib.import_module(name)
        except ImportError:  # not used any more: nothing to warm
            pass
