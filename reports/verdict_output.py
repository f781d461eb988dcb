"""Verdicts as text: the terminal table, ``verdicts.md`` (a CI job summary), ``verdicts.json``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reports.inert_text import markdown_text, terminal_text
from reports.rate_lines import rate_parts
from reports.verdicts import WORDS, Verdict
from reports.witnesses import describe, figure_text

FORMAT_VERSION = 1


def percent(value: float) -> str:
    """One decimal, two near 100 % (a 2,600x speed-up is 99.96 %, not "100.0 %")."""
    digits = 2 if 0.999 <= abs(value) < 1 else 1
    return f"{value * 100:.{digits}f} %"


def _interval(verdict: Verdict) -> str:
    if verdict.low is None or verdict.high is None:
        return "—"
    if verdict.percent:
        return f"[{percent(verdict.low)}, {percent(verdict.high)}]"
    return f"[{verdict.low:g}, {verdict.high:g}]"


def _measured(verdict: Verdict) -> str:
    if verdict.measured is None:
        return "—"
    return percent(verdict.measured) if verdict.percent else f"{verdict.measured:g}"


def _sample(verdict: Verdict) -> str:
    return f"{verdict.n} {verdict.unit}" if verdict.n is not None else "—"


def counts(verdicts: Sequence[Verdict]) -> dict[str, int]:
    return {word: sum(v.verdict == word for v in verdicts) for word in WORDS}


def terminal_lines(verdicts: Sequence[Verdict]) -> list[str]:
    """One line per claim: id, claimed, measured, interval, n, verdict."""
    ids = [terminal_text(v.id) for v in verdicts]  # the claims file's, as are the reasons
    width = max(len(i) for i in ids)
    where = [v.conditions.short() or "—" for v in verdicts]
    at = max(len("judged at"), *(len(w) for w in where))
    header = f"{'claim':<{width}}  {'claimed':<16} {'measured':>10} {'95 % interval':<20} " \
             f"{'n':>4}  {'judged at':<{at}}  verdict"  # fmt: skip
    lines = [header, "-" * len(header)]
    for identifier, v, w in zip(ids, verdicts, where, strict=True):
        n = str(v.n) if v.n is not None else "—"
        lines.append(
            f"{identifier:<{width}}  {v.claimed or '—':<16} {_measured(v):>10} "
            f"{_interval(v):<20} {n:>4}  {w:<{at}}  {v.verdict.upper()}"
        )
    tally = ", ".join(f"{count} {word}" for word, count in counts(verdicts).items() if count)
    lines += ["", f"{len(verdicts)} claims: {tally}"]
    lines += _conditions_legend(verdicts)
    lines += [f"  {terminal_text(line)}" for line in _by_size(verdicts)]
    lines += [f"  {terminal_text(line)}" for line in _by_rate(verdicts)]
    lines += [f"  {terminal_text(line)}" for line in _disagreements(verdicts)]
    lines += [
        f"  {identifier}: {terminal_text(v.reason)}"
        for identifier, v in zip(ids, verdicts, strict=True)
        if v.verdict in ("no evidence", "not measurable")
    ]
    return lines


def markdown(verdicts: Sequence[Verdict], *, run: str, title: str) -> str:
    """A Markdown table for ``$GITHUB_STEP_SUMMARY`` or a pull-request comment."""
    lines = [
        f"### perfproof: {markdown_text(title)}",
        "",
        f"Run <code>{markdown_text(run)}</code>. Intervals are 95 %; n is counted in the unit "
        "named.",
        "",
        "| claim | quote | claimed | measured | 95 % interval | n | judged at | verdict | why |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for v in verdicts:
        cells = [
            markdown_text(cell)
            for cell in (
                v.id,
                v.claim.quote,
                v.claimed or "—",
                _measured(v),
                _interval(v),
                _sample(v),
                v.conditions.describe() or "—",
                v.verdict,
                v.reason,
            )
        ]
        cells[0], cells[7] = f"<code>{cells[0]}</code>", f"**{cells[7]}**"
        lines.append("| " + " | ".join(cells) + " |")
    tally = ", ".join(f"{count} {word}" for word, count in counts(verdicts).items() if count)
    lines += ["", f"{len(verdicts)} claims: {tally}."]
    lines += [f"- {markdown_text(line)}" for line in _by_size(verdicts)]
    lines += [f"- {markdown_text(line)}" for line in _by_rate(verdicts)]
    lines += [f"- {markdown_text(line)}" for line in _disagreements(verdicts)]
    return "\n".join(lines) + "\n"


def document(verdicts: Sequence[Verdict], *, run: str, claims_file: str) -> dict[str, Any]:
    return {
        "format": FORMAT_VERSION,
        "run": run,
        "claims_file": claims_file,
        "counts": counts(verdicts),
        "verdicts": [v.document() for v in verdicts],
    }


def _by_size(verdicts: Sequence[Verdict]) -> list[str]:
    """A line per claim judged at several sizes: which sizes meet it (reports/per_size.py)."""
    lines = []
    for v in verdicts:
        sizes = v.details.get("by_size") or []
        if len(sizes) < 2:
            continue
        words: dict[str, list[str]] = {}
        for size in sizes:
            words.setdefault(str(size["verdict"]), []).append(f"{size['rows']:,}")
        table = sizes[0].get("size_table") or "rows"
        said = "; ".join(f"{word} at {', '.join(rows)}" for word, rows in words.items())
        lines.append(f"{v.id} by size ({table}): {said}")
    return lines


def _by_rate(verdicts: Sequence[Verdict]) -> list[str]:
    """A line per load claim judged at several offered rates (reports/per_rate.py)."""
    lines = []
    for v in verdicts:
        said = rate_parts(v.details.get("by_rate") or [], lambda e: figure_text(e, _percent))
        if said is not None:
            lines.append(f"{v.id} by offered rate (* the verdict's): {said}")
    return lines


def _disagreements(verdicts: Sequence[Verdict]) -> list[str]:
    """A line per claim whose second witness disagrees beyond both intervals."""
    return [
        f"{v.id}: witnesses disagree: " + "; ".join(describe(v.details, _percent))
        for v in verdicts
        if v.details.get("witnesses_disagree")
    ]


def _percent(fraction: float) -> str:
    return f"{fraction * 100:.1f} %"


def _conditions_legend(verdicts: Sequence[Verdict]) -> list[str]:
    """Under the table, the load each load verdict was judged at, in full (once if shared)."""
    said = dict.fromkeys(v.conditions.load() for v in verdicts if v.conditions.load())
    return [f"  load claims judged at {load}" for load in said]
