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


# The city labels of the first figure's map (Vega text marks, not axis or legend text): how many
# (and how many rows its data table has), the pairs whose drawn boxes overlap, and each label's
# drawn width and font size in the chart's own units (kzunrest.maplabels estimates that width
# before Vega draws it).
MAP_LABELS = r"""(() => {
  const texts = Array.from(document.querySelectorAll('#figure-1 .kz-chart svg g.mark-text.role-mark text'));
  const boxes = texts.map(t => [t.textContent, t.getBoundingClientRect()]);
  const clashes = [];
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const [a, r] = boxes[i], [b, s] = boxes[j];
    if (Math.min(r.right, s.right) - Math.max(r.left, s.left) > 0.5
        && Math.min(r.bottom, s.bottom) - Math.max(r.top, s.top) > 0.5) clashes.push(`${a} / ${b}`);
  }
  return {count: texts.length, clashes,
          cities: document.querySelectorAll('#figure-1 details.kz-data tbody tr').length,
          widths: texts.map(t => [t.textContent, t.getBBox().width, parseFloat(t.getAttribute('font-size'))])};
})()"""


def check_map_labels(facts: dict) -> None:
    """Every city of the figure's data table named on the map, no two names over each other,
    none wider than kzunrest.maplabels reserved for it."""
    from kzunrest.maplabels import text_width

    assert facts["count"] == facts["cities"] > 10, facts
    assert facts["clashes"] == [], facts["clashes"]
    wider = [(text, width) for text, width, size in facts["widths"]
             if width > text_width(text, size)]
    assert wider == [], wider
