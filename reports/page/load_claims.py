"""The evidence of load-test claims: each paired unit, how sampling went, the latency CDFs.

Load claims are judged over paired units (requests within one window share a
cache state and a queue, so the window is the smallest independent piece), so
the first thing shown is every unit in the order it ran, stalls marked, with
the interval as it stood after each; then why sampling stopped and, when the
verdict is open, what would decide it; then the full latency distributions
per arm from the merged HDR histograms, which say what a mean hides; for the
hit ratio, every second of every window, warm-up included.
"""

from __future__ import annotations

from collections.abc import Sequence

from reports.claims import Claim
from reports.page.blocks import Block, Table
from reports.page.figures import Plot
from reports.page.formatting import duration, number, percent
from reports.page.histograms import Kind, Recordings, RunKey, cdf, total
from reports.page.load_figures import cdf_plot, hit_ratio_plot
from reports.page.sampling import sampling_block
from reports.page.unit_figures import units_plot
from reports.run_folder import RunFolder
from reports.series import ALL
from reports.verdict_rule import Claimed
from reports.verdicts import Verdict

_STATS = {"mean": "mean", "p50": "median", "p90": "p90", "p99": "p99"}
METRIC_LABELS = {
    **{f"intended_{k}": f"{v} latency from the intended start" for k, v in _STATS.items()},
    **{f"latency_{k}": f"{v} latency" for k, v in _STATS.items()},
    "db_statements_per_request": "database statements per request (pg_stat_statements)",
    "portal_statements_per_request": "SQL statements per request (the portal's counter)",
    "hit_ratio": "X-Cache hit ratio",
}


def is_latency(metric: str) -> bool:
    return metric.startswith(("intended_", "latency_"))


def _shown(metric: str, value: float) -> str:
    return f"{value * 1e3:.3g} ms" if is_latency(metric) else number(value)


def paired_blocks(verdict: Verdict, run: RunFolder, recordings: Recordings | None) -> list[Block]:
    claim = verdict.claim
    metric = str(verdict.details.get("metric", claim.metric))
    pairs = list(verdict.details.get("pairs", []))
    label = METRIC_LABELS.get(metric, metric)
    block = Block(title="Each paired unit, both arms, in the order run")
    if pairs:
        block.plots.append(
            _units(
                verdict,
                [(p.get("effect"), bool(p.get("stall"))) for p in pairs],
                ylabel=f"1 - {claim.candidate} / {claim.baseline} (%)",
                title=f"{label}: {len(pairs)} paired units",
            )
        )
    block.tables.append(
        Table(
            f"{label}, per unit",
            ["unit", claim.baseline, claim.candidate, "reduction", "stall"],
            [
                [
                    str(p["repetition"]),
                    _shown(metric, p["baseline"]),
                    _shown(metric, p["candidate"]),
                    percent(1 - p["candidate"] / p["baseline"]) if p["baseline"] else "—",
                    "stall" if p.get("stall") else "",
                ]
                for p in pairs
            ],
        )
    )
    used = verdict.details.get("series_used") or []
    shown = ["every request" if name == ALL else name for name in used]
    block.facts.append(("routes", ", ".join(shown) if shown else "—"))
    block.notes += [
        f"Left out by the validity guard: {d}" for d in verdict.details.get("dropped", [])
    ]
    blocks = [block, sampling_block(verdict)]
    if is_latency(metric):
        blocks.append(latency_block(claim, pairs, used, metric, recordings))
    if _turns_the_cache_on(claim):
        blocks.append(warmup_block(run, claim.candidate, claim.models))
    return blocks


def _units(
    verdict: Verdict, points: Sequence[tuple[float | None, bool]], *, ylabel: str, title: str
) -> Plot:
    """The units plot of a sequential claim: its points, the interval after each unit, and
    the claimed bounds (one call for paired and level claims alike)."""
    claimed = verdict.claim.claimed
    return units_plot(
        points,
        verdict.details.get("progress", []),
        claimed_low=claimed.low if claimed else None,
        claimed_high=claimed.high if claimed else None,
        ylabel=ylabel,
        title=title,
    )


def _turns_the_cache_on(claim: Claim) -> bool:
    """A cache claim: its baseline runs without the cache and its candidate with it."""
    from loadtests.arms import ARMS_BY_NAME

    base, cand = ARMS_BY_NAME.get(claim.baseline), ARMS_BY_NAME.get(claim.candidate)
    return base is not None and cand is not None and base.cache == "off" and cand.cache == "on"


def latency_block(
    claim: Claim,
    pairs: list[dict[str, object]],
    routes: list[str],
    metric: str,
    recordings: Recordings | None,
) -> Block:
    """Latency CDF per arm and model, the valid repetitions' histograms merged."""
    block = Block(title="Latency distributions (HDR histograms, merged over the repetitions)")
    if recordings is None or not recordings.runs:
        block.missing.append("Latency histograms: no load recordings in this run folder.")
        return block
    wanted: Kind = "intended" if metric.startswith("intended_") else "service"
    picked = None if routes == [ALL] else routes
    for model in dict.fromkeys(str(p["model"]) for p in pairs):
        repetitions = [int(str(p["repetition"])) for p in pairs if p["model"] == model]
        curves, counts = {}, {}
        for arm in (claim.baseline, claim.candidate):
            keys = [RunKey(model, arm, r) for r in repetitions]
            histogram = recordings.merged(keys, picked, wanted)
            if histogram is None:  # the closed model records no intended start
                histogram = recordings.merged(keys, picked, "service")
            if histogram is not None:
                curves[arm], counts[arm] = cdf(histogram), total(histogram)
        if curves:
            how = "from the intended start" if wanted == "intended" else "from the send"
            block.plots.append(
                cdf_plot(curves, counts=counts, title=f"{model} model, latency {how}")
            )
    if not block.plots:
        block.missing.append("Latency histograms: none recorded for these arms.")
    return block


def level_blocks(verdict: Verdict, run: RunFolder, recordings: Recordings | None) -> list[Block]:
    """Each run's figure, and the hit ratio per second with the warm-up it excluded."""
    claim = verdict.claim
    del recordings
    block = Block(title=f"Every {claim.arm} window, in the order run")
    runs = verdict.details.get("runs", [])
    label = METRIC_LABELS.get(claim.metric, claim.metric)
    if runs:
        block.plots.append(
            _units(
                verdict,
                [(r.get("value"), bool(r.get("stall"))) for r in runs],
                ylabel=f"{label} (%)",
                title=f"{label}: {len(runs)} windows of {claim.arm}",
            )
        )
    block.tables.append(
        Table(
            label,
            ["window", "value", "stall"],
            [[r["run"], percent(r["value"]), "stall" if r.get("stall") else ""] for r in runs],
        )
    )
    block.notes += [
        f"Left out by the validity guard: {d}" for d in verdict.details.get("dropped", [])
    ]
    blocks = [block, sampling_block(verdict)]
    if claim.metric == "hit_ratio":
        blocks.append(warmup_block(run, claim.arm, claim.models, claim.claimed))
    return blocks


def warmup_block(
    run: RunFolder, arm: str, models: tuple[str, ...], band: Claimed | None = None
) -> Block:
    """Hit ratio per second of every ``arm`` run; ``band`` shaded when it is what was claimed."""
    block = Block(title=f"The hit ratio over time in {arm}: the cache warming up")
    tidy = run.tidy
    rows = (
        tidy[
            (tidy["suite"] == "load")
            & (tidy["metric"] == "hit_ratio_second")
            & (tidy["arm"] == arm)
            & tidy["variant"].isin(list(models))
            & (tidy["series"] == ALL)
        ]
        if not tidy.empty
        else tidy
    )
    if rows.empty:
        block.missing.append("Hit ratio per second: not recorded in this run.")
        return block
    lines = {}
    for (model, repetition), group in rows.groupby(["variant", "repetition"]):
        ordered = group.sort_values("round")
        lines[f"{model}, repetition {repetition}"] = (
            ordered["round"].astype(float).tolist(),
            ordered["value"].astype(float).tolist(),
        )
    warmup = run.load_manifest.warmup_s if run.load_manifest is not None else None
    block.plots.append(
        hit_ratio_plot(
            lines,
            warmup_s=float(warmup) if warmup else None,
            claimed_low=band.low if band else None,
            claimed_high=band.high if band else None,
        )
    )
    if warmup:
        block.notes.append(
            f"The first {duration(warmup)} of each run are its warm-up: shown, not counted."
        )
    return block
