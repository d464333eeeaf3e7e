"""Open a report in real headless Chromium with every non-file request blocked and recorded."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import sync_playwright

from kzunrest.export import CHROMIUM_ARGS, chromium_path


@dataclass
class PageVisit:
    blocked: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    facts: dict = field(default_factory=dict)


def visit(html: Path, width: int = 1280, script: str | None = None, hover: str | None = None,
          screenshot: Path | None = None) -> PageVisit:
    """Load ``html``; return blocked requests, console messages, dialogs, and what ``script``
    (a JS expression) evaluates to once every chart has had time to draw."""
    seen = PageVisit()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(),
                                             args=[*CHROMIUM_ARGS, "--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": width, "height": 900})

            def route(request_route):
                url = request_route.request.url
                if url.startswith(("file:", "data:", "about:", "blob:")):
                    return request_route.continue_()
                seen.blocked.append(url)
                return request_route.abort()

            page.route("**/*", route)
            page.on("console", lambda m: seen.console.append(f"{m.type}: {m.text}"))
            page.on("pageerror", lambda e: seen.console.append(f"pageerror: {e}"))
            page.on("dialog", lambda d: (seen.dialogs.append(d.message), d.dismiss()))
            page.goto(html.resolve().as_uri(), wait_until="load")
            page.wait_for_function(
                "document.querySelectorAll('.kz-chart').length === "
                "document.querySelectorAll('.kz-chart[data-rendered=true]').length", timeout=30000)
            if hover:
                target = page.locator(hover).first
                target.scroll_into_view_if_needed()
                target.hover(force=True)
                page.wait_for_timeout(300)
            if script:
                seen.facts = page.evaluate(script)
            if screenshot:
                page.screenshot(path=str(screenshot), full_page=False)
        finally:
            browser.close()
    return seen
