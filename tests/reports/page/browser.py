"""A report opened in the system's headless Chromium, network off: what a reader met.

Shared by the report tests (``test_html.py``, the session's quick run) and the
real ``--load-rates`` run (``tests/perfproof/test_load_rates.py``). A test that
uses it carries ``@pytest.mark.needs_program("chromium")``; nothing downloads a
browser. Full-page screenshots go to ``PERFPROOF_SHOTS`` (default /tmp/shots).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.system_programs import PROGRAMS

SHOTS = Path(os.environ.get("PERFPROOF_SHOTS", "/tmp/shots"))


@dataclass
class Opened:
    """One load of the report at one width: what the page showed and what it tried."""

    width: int
    text: str
    alts: list[str]
    images: list[dict[str, Any]]
    console_errors: list[str]
    requests: list[str]
    scroll_width: int
    verdicts_overflow: int  # how far the verdict table runs past its container, px
    claims: dict[str, str]  # anchor -> the evidence section's text


def open_report(report: Path, widths: dict[str, int], shot_prefix: str = "report") -> dict[
    str, Opened
]:  # fmt: skip
    """The report opened once per named width, in one browser."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("playwright is not installed: pip install playwright (the [test] extra)")
    executable = PROGRAMS["chromium"].path()
    assert executable is not None  # the needs_program mark skipped the test otherwise
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            return {
                name: _open(report, f"{shot_prefix}-{name}", width, browser)
                for name, width in widths.items()
            }
        finally:
            browser.close()


def _open(report: Path, name: str, width: int, browser: Any) -> Opened:
    context = browser.new_context(offline=True, viewport={"width": width, "height": 900})
    requests: list[str] = []

    def refuse(route: Any) -> None:
        url = route.request.url
        if not url.startswith(("file:", "data:")):
            requests.append(url)
            route.abort()
        else:
            route.continue_()

    context.route("**/*", refuse)
    page = context.new_page()
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(report.as_uri(), wait_until="load")
    images = page.evaluate(
        "Array.from(document.images).map(i => ({alt: i.alt, complete: i.complete,"
        " width: i.naturalWidth}))"
    )
    claims = page.evaluate(
        "Object.fromEntries(Array.from(document.querySelectorAll('article.claim'))"
        ".map(a => [a.id, a.innerText]))"
    )
    opened = Opened(
        width=width,
        text=page.inner_text("body"),
        alts=[image["alt"] for image in images],
        images=images,
        console_errors=errors,
        requests=requests,
        scroll_width=page.evaluate("document.documentElement.scrollWidth"),
        verdicts_overflow=page.evaluate(
            "(() => { const w = document.querySelector('.verdicts-wrap');"
            " return w.scrollWidth - w.clientWidth; })()"
        ),
        claims=claims,
    )
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    context.close()
    return opened
