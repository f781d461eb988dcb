"""A target run's report: ``report.html`` (one self-contained page) and the terminal table.

What a design review asks of a number, on one page: each claim's verdict
with its interval, unit of independence and method; every paired unit's own
effect with the interval as it stood after each (the portal's plot,
``reports/page/unit_figures.py``); each window's facts and what the validity
guard said of it; the CPU of the generator, the service, PostgreSQL and
Redis; the evidence the target declared, and "not declared" for what it did
not. Everything the team's files said is escaped (Jinja2's autoescape).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Environment

from loadtests.guard import run_problems
from loadtests.watch import interval_of, unit_figures
from perfproof.targets.judging import TargetVerdict, claimed_of, primary_runs, watched_of
from reports.inert_text import terminal_text
from reports.page.blocks import anchor
from reports.page.figures import Plot
from reports.page.rate_figures import rate_plot
from reports.page.unit_figures import units_plot
from reports.rate_lines import Entry, rate_parts

if TYPE_CHECKING:
    from perfproof.targets.bench import TargetRun

HEADER = ("claim", "claimed", "measured [interval]", "n", "judged at", "verdict")


def _measured(verdict: TargetVerdict) -> str:
    if verdict.measured is None:
        return "-"

    def show(value: float | None) -> str:
        if value is None:
            return "?"
        return f"{value * 100:.1f} %" if verdict.percent else f"{value * 1000:.2f} ms"

    if verdict.low is None:
        return show(verdict.measured)
    return f"{show(verdict.measured)} [{show(verdict.low)}, {show(verdict.high)}]"


def table_lines(verdicts: Sequence[TargetVerdict]) -> list[str]:
    """The verdict table as the terminal shows it; a line per claim, then why where it matters."""
    rows = [
        (v.id, v.claimed or "-", _measured(v), str(v.n or "-"), v.judged_at or "-",
         v.verdict.upper())
        for v in verdicts
    ]  # fmt: skip
    widths = [max(len(str(row[i])) for row in (HEADER, *rows)) for i in range(len(HEADER))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(HEADER, widths, strict=True)).rstrip()]
    lines.append("-" * len(lines[0]))
    lines += ["  ".join(terminal_text(str(c)).ljust(w) for c, w in zip(row, widths, strict=True))
              .rstrip() for row in rows]  # fmt: skip
    why = [f"  {v.id}: {terminal_text(v.reason)}" for v in verdicts
           if v.verdict not in ("met", "exceeded") and v.reason]  # fmt: skip
    by_rate = [f"  {terminal_text(line)}" for line in by_rate_lines(verdicts)]
    return (
        lines + (["", "why:", *why] if why else [])
        + (["", "by offered rate (* the verdicts' rate):", *by_rate] if by_rate else [])
    )  # fmt: skip


def by_rate_lines(verdicts: Sequence[TargetVerdict]) -> list[str]:
    """A line per load claim judged at several offered rates: each rate's own estimate."""
    lines = []
    for v in verdicts:

        def figure(entry: Entry, v: TargetVerdict = v) -> str:
            shown = TargetVerdict(v.id, "", "", "", "", measured=entry["value"],
                                  low=entry["low"], high=entry["high"],
                                  percent=v.percent)  # fmt: skip
            units = f"{entry['n']} unit{'s' if entry['n'] != 1 else ''}"
            bare = f", no interval: {entry.get('method', '')}" if entry["low"] is None else ""
            return f"{_measured(shown)} ({units}{bare})"

        said = rate_parts(v.details.get("by_rate") or [], figure)
        if said is not None:
            lines.append(f"{v.id}: {said}")
    return lines


def _plot(run: TargetRun, verdict: TargetVerdict) -> Plot | None:
    claim = next(c for c in run.claims if c.id == verdict.id)
    watched = watched_of(claim, run.profile)
    if watched is None or verdict.low is None:
        return None
    runs = primary_runs(run.runs, run.phases)
    units = unit_figures(watched, runs)
    points: list[tuple[float | None, bool]]
    if watched.kind == "level":
        points = [(values[0], False) for _, values in units]
    else:
        points = [(1 - values[1] / values[0] if values[0] else None, False) for _, values in units]
    alpha = 1 - verdict.level if verdict.level is not None else 0.05
    progress = []
    modelled = [r for r in runs if r.model == watched.model]
    for unit, _ in units:
        found = interval_of(watched, [r for r in modelled if r.repetition <= unit], alpha)
        if found is not None:
            progress.append({"n": found.n, "value": found.value, "low": found.low,
                             "high": found.high})  # fmt: skip
    claimed = claimed_of(claim.table)
    low, high = (claimed.low, claimed.high) if claimed is not None else (None, None)
    if not verdict.percent:
        return None
    return units_plot(points, progress, claimed_low=low, claimed_high=high,
                      ylabel="effect (%)" if watched.kind == "paired" else "figure (%)",
                      title=f"{verdict.id}: each unit, and the interval after each")  # fmt: skip


def _evidence(run: TargetRun) -> list[tuple[str, str]]:
    evidence = run.target.evidence
    return [
        ("PostgreSQL (pg_stat_statements)",
         run.hide(evidence.postgres_url) if evidence.postgres_url else
         "not declared (evidence.postgres_url): statements per request cannot be judged"),
        ("Redis (keyspace hits and misses)",
         run.hide(evidence.redis_url) if evidence.redis_url
         else "not declared (evidence.redis_url)"),
        ("HIT/MISS response header", evidence.hit_header or
         "not declared (evidence.hit_header): hit ratios cannot be judged"),
        ("process tree", "the service's processes: CPU and resident memory, each window"
         if evidence.process_tree else "CPU each window (process_tree = true adds memory)"),
        ("benchmark suites", ", ".join(
            f"{arm}: {len(series)} series, {sum(map(len, series.values()))} rounds"
            for arm, series in run.rounds.items()) if run.rounds
         else "not declared (benchmarks.files)"),
    ]  # fmt: skip


def window_facts(run: TargetRun) -> list[dict[str, Any]]:
    """Every window's facts and what the validity guard said of it (``windows.json``)."""
    return [
        {"arm": r.arm.name, "model": r.model, "unit": r.repetition, "seconds": round(r.seconds, 3),
         "offered_rps": r.offered_rps, "requests": r.facts().requests,
         "failures": r.facts().failures, "scheduled": r.facts().scheduled,
         "late": r.facts().late, "cpu": r.cpu, "servers": r.servers,
         "problems": run_problems(r.facts())}
        for r in run.runs
    ]  # fmt: skip


TEMPLATE = Path(__file__).with_name("templates") / "report.html.j2"


def _rate_plot(run: TargetRun, verdict: TargetVerdict) -> Plot | None:
    entries = [e for e in verdict.details.get("by_rate") or [] if "value" in e]
    claim = next(c for c in run.claims if c.id == verdict.id)
    claimed = claimed_of(claim.table)
    if len(entries) < 2 or claimed is None:
        return None
    return rate_plot(entries, claimed.low, claimed.high, verdict.id)


def render(run: TargetRun, verdicts: Sequence[TargetVerdict]) -> str:
    plots = {v.id: plot for v in verdicts if (plot := _plot(run, v)) is not None}
    rate_plots = {v.id: plot for v in verdicts if (plot := _rate_plot(run, v)) is not None}
    environment = Environment(autoescape=True)
    page: str = environment.from_string(TEMPLATE.read_text()).render(
        name=run.target.name, profile=run.profile, folder=str(run.folder), rate=run.rate,
        sequential=run.state.record() if run.state else None,
        open_unavailable=run.open_unavailable, verdicts=verdicts, measured=_measured,
        plots=plots, rate_plots=rate_plots, by_rate=by_rate_lines, anchor=anchor,
        evidence=_evidence(run), starts=run.starts, switches=run.switches,
        checks=run.checks, capacity=run.capacity, windows=window_facts(run),
        plan=(run.folder / "plan.txt").read_text(),
    )  # fmt: skip
    return page
