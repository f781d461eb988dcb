"""``report.html``: one self-contained page, the verdicts first and then everything they stand on.

The builders (the modules beside this one) turn the run folder into strings,
tables and SVG data URIs; the Jinja2 templates in ``reports/page/templates/`` only
lay them out. The page loads nothing: the stylesheet is inlined, the plots
are data URIs, the fonts are the reader's own, so it opens offline, from an
e-mail attachment or a CI artefact, years later.

Undefined template variables raise (``StrictUndefined``) and ``None`` prints
as a dash (``finalize``): a renamed field fails the tests instead of leaving
a blank or a "None" in front of a reader.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache, partial
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from reports.claims import ClaimsFile
from reports.page.blocks import Block, anchor
from reports.page.formatting import FILTERS, MISSING, effect, percent, present
from reports.run_folder import RunFolder
from reports.verdict_output import counts
from reports.verdicts import Verdict
from reports.witnesses import describe

TEMPLATES = Path(__file__).resolve().parent / "templates"
SYMBOLS = {
    "exceeded": "✔✔",
    "met": "✔",
    "not met": "✘",
    "inconclusive": "?",
    "not measurable": "\N{EN DASH}",
    "no evidence": "∅",
}
NOT_DRAWN = "could not be drawn from this run folder"
RULES = (
    "Verdicts read only the interval, never the point: exceeded when the whole interval is above "
    "the claimed range; met when it is at or above the claimed lower bound; not met when it is "
    "wholly below it; inconclusive when it straddles it (or there is too little data for an "
    "interval); no evidence when the run did not measure it; not measurable when the claim names "
    "no baseline."
)


@dataclass
class ClaimView:
    """One claim as the verdict table and its evidence section show it."""

    id: str
    anchor: str
    quote: str
    note: str
    claimed: str
    measured: str
    n: str
    where: str  # the data size and, for a load claim, the offered load (reports/conditions.py)
    word: str
    reason: str
    blocks: list[Block] = field(default_factory=list)
    # Who counted the figure, each with its interval (reports/witnesses.py); the first
    # is the verdict's. ``disagree``: a second witness's interval misses the first's.
    witnesses: list[str] = field(default_factory=list)
    disagree: bool = False


def _safely(what: str, build: Callable[[], list[Block]]) -> list[Block]:
    """A section, or one line saying why it could not be drawn: never a report lost to one part.

    A run folder from an older or newer perfproof may lack a field or hold
    another shape; the rest of the report is still worth reading. The tests
    render real runs and fail on this line, so it cannot hide a bug there.
    """
    try:
        return build()
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as error:
        return [Block(missing=[f"{what}: {NOT_DRAWN} ({type(error).__name__}: {error})."])]


def _finalize(value: Any) -> Any:
    return value if present(value) else MISSING


@cache
def _environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "j2"], default_for_string=True),
        undefined=StrictUndefined,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(FILTERS)
    environment.globals["SYMBOLS"] = SYMBOLS
    return environment


def _sample(verdict: Verdict) -> str:
    """``10 benchmark rounds``; a unit that counts itself ("one check") stands alone."""
    if verdict.n is None:
        return MISSING
    if verdict.n == 1 and verdict.unit.startswith("one "):
        return verdict.unit
    return f"{verdict.n} {verdict.unit}".strip()


def _tally(verdicts: Sequence[Verdict]) -> str:
    said = ", ".join(f"{n} {word}" for word, n in counts(verdicts).items() if n)
    return f"{len(verdicts)} claims: {said}."


def render(run: RunFolder, claims: ClaimsFile, verdicts: Sequence[Verdict]) -> str:
    """The whole page for ``run`` judged by ``claims``."""
    from reports.page.benchmarks import benchmark_blocks
    from reports.page.claim_sections import claim_blocks
    from reports.page.growth import growth_blocks
    from reports.page.histograms import read_recordings
    from reports.page.load import load_blocks
    from reports.page.reliability import reliability_blocks
    from reports.page.run import environment_blocks, problems, run_facts

    recordings = (
        read_recordings(run.load_path, run.load_manifest)
        if run.load_path is not None and run.load_manifest is not None
        else None
    )
    views = [
        ClaimView(
            id=v.id,
            anchor=anchor(v.id),
            quote=v.claim.quote,
            note=v.claim.note,
            claimed=v.claimed or MISSING,
            measured=effect(v.measured, v.low, v.high, as_percent=v.percent),
            n=_sample(v),
            where=v.conditions.describe() or MISSING,
            word=v.verdict,
            witnesses=describe(v.details, percent),
            disagree=bool(v.details.get("witnesses_disagree")),
            reason=v.reason.removeprefix(f"{v.verdict}: ") or MISSING,
            blocks=_safely("Evidence", partial(claim_blocks, v, run, recordings)),
        )
        for v in verdicts
    ]
    template = _environment().get_template("report.html.j2")
    return template.render(
        title=claims.title,
        source=claims.source,
        claims_file=str(claims.path),
        run_name=run.name,
        run_facts=run_facts(run),
        unfinished=run.unfinished_reason,
        tally=_tally(verdicts),
        rules=RULES,
        claims=views,
        problems=problems(run, verdicts),
        benchmarks=_safely("Benchmarks", lambda: benchmark_blocks(run.tidy)),
        load=_safely("Load tests", lambda: load_blocks(run, recordings)),
        growth=_safely("Growth", lambda: growth_blocks(run)),
        reliability=_safely("Reliability", lambda: reliability_blocks(run)),
        environment=_safely("Environment", lambda: environment_blocks(run)),
        css=(TEMPLATES / "report.css").read_text(encoding="utf-8"),
    )
