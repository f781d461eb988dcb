"""The report of a real quick run, opened in headless Chromium with the network off.

What a reader would hit first is checked the way a reader meets it: every
claim has its row and its evidence with a verdict word, every plot decodes,
the console stays quiet, no "nan", "None" or "undefined" reaches the text,
nothing is fetched, and at phone width nothing pushes the page sideways.
Chromium is the system's (``/usr/bin/chromium``, or ``PERFPROOF_CHROMIUM``),
driven by Playwright; nothing downloads a browser. Without it the tests are
skipped with the command that installs it (``tests/system_programs.py``); CI
installs it and makes any skip a failure, since a skipped browser test proves
nothing.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from reports.claims import load_claims
from reports.cli import write_report
from reports.page.blocks import anchor
from reports.page.html import NOT_DRAWN
from tests.reports.page.browser import Opened, open_report

FORBIDDEN = re.compile(r"\b(nan|None|undefined)\b")
RENDER_BUDGET_S = 30.0  # the whole re-render: judging and writing, not only the HTML
WIDTHS = {"desktop": 1366, "phone": 390}

pytestmark = pytest.mark.needs_program("chromium")


@dataclass
class Rendered:
    folder: Path
    seconds: float
    pages: dict[str, Opened]


@pytest.fixture(scope="module")
def rendered(quick_run: Path) -> Iterator[Rendered]:
    started = time.monotonic()
    write_report(quick_run)
    seconds = time.monotonic() - started
    yield Rendered(quick_run, seconds, open_report(quick_run / "report.html", WIDTHS))


def test_it_renders_within_the_budget(rendered: Rendered) -> None:
    assert rendered.seconds < RENDER_BUDGET_S, f"{rendered.seconds:.1f} s"


def test_every_claim_has_its_row_and_its_evidence_with_a_verdict_word(rendered: Rendered) -> None:
    document = json.loads((rendered.folder / "verdicts.json").read_text())
    verdicts = {v["id"]: v["verdict"] for v in document["verdicts"]}
    claims = load_claims()
    assert set(verdicts) == {claim.id for claim in claims.claims}
    page = rendered.pages["desktop"]
    for claim in claims.claims:
        word = verdicts[claim.id]
        row = [line for line in page.text.splitlines() if line.startswith(claim.id + "\t")]
        assert row and word in row[0], (claim.id, row)
        section = page.claims.get(anchor(claim.id))
        assert section is not None, claim.id
        assert section.splitlines()[0].startswith(claim.id) and word in section.splitlines()[0]


@pytest.mark.parametrize("name", list(WIDTHS))
def test_every_image_decodes(rendered: Rendered, name: str) -> None:
    images = rendered.pages[name].images
    assert images, "the report has no plot at all"
    broken = [image["alt"] for image in images if not image["complete"] or image["width"] <= 0]
    assert not broken


@pytest.mark.parametrize("name", list(WIDTHS))
def test_nothing_fetched_and_no_console_error(rendered: Rendered, name: str) -> None:
    page = rendered.pages[name]
    assert page.requests == []
    assert page.console_errors == []


def test_no_nan_none_or_undefined_in_the_text(rendered: Rendered) -> None:
    page = rendered.pages["desktop"]
    for said in (page.text, *page.alts):
        found = FORBIDDEN.findall(said)
        assert not found, [line for line in said.splitlines() if FORBIDDEN.search(line)][:5]


def test_every_section_was_drawn(rendered: Rendered) -> None:
    page = rendered.pages["desktop"]
    assert NOT_DRAWN not in page.text, [
        line for line in page.text.splitlines() if NOT_DRAWN in line
    ]


def test_nothing_pushes_the_page_sideways_on_a_phone(rendered: Rendered) -> None:
    page = rendered.pages["phone"]
    assert page.scroll_width <= page.width


@pytest.mark.parametrize("name", list(WIDTHS))
def test_the_verdict_table_needs_no_scrolling(rendered: Rendered, name: str) -> None:
    """A verdict scrolled out of view is no verdict: the table fits, on a desktop and a phone."""
    assert rendered.pages[name].verdicts_overflow <= 0


def test_each_load_claim_says_where_it_was_judged_and_who_counted(rendered: Rendered) -> None:
    """The conditions (reports/conditions.py) and the witnesses (reports/witnesses.py),
    as a reader sees them: in the table's "judged at" column and under each claim."""
    document = json.loads((rendered.folder / "verdicts.json").read_text())
    page = rendered.pages["desktop"]
    by_id = {v["id"]: v for v in document["verdicts"]}
    assert by_id["cache-hit-ratio"]["details"].get("witnesses"), "the hit ratio has no witness"
    for identifier, verdict in by_id.items():
        section = page.claims[anchor(identifier)]
        load = verdict["judged_at"].get("rate_per_s")
        if load is not None:
            row = next(line for line in page.text.splitlines() if line.startswith(identifier))
            assert "/s offered" in row and "/s offered" in section, identifier
        for witness in verdict["details"].get("witnesses", []):
            assert witness["name"] in section, (identifier, witness["name"])
        if verdict["details"].get("witnesses_disagree"):
            assert "disagree beyond both intervals" in section, identifier
