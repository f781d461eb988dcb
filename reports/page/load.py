"""The load tests in the report: per endpoint and arm, latency and throughput; per run, the servers.

Latency percentiles come from the HDR histograms merged over an arm's
repetitions (percentiles of runs cannot be averaged); the open model's are
timed from each request's intended start, so a stalled server shows its
queue. Per run: offered and achieved rate, statements per request from the
database's own counters, the CPU of every process group (a saturated
generator measures itself, not the portal), and what the validity guard found.
"""

from __future__ import annotations

from benchmarks.manifest import Manifest
from reports.page.blocks import Block, Table
from reports.page.formatting import (
    cores,
    count,
    duration,
    milliseconds,
    number,
    percent,
    rate,
    text,
)
from reports.page.histograms import Kind, Recordings, cdf, summary, total
from reports.page.load_figures import cdf_plot
from reports.run_folder import RunFolder
from reports.series import ALL

LATENCY_HEADERS = ["p50", "p90", "p99", "p99.9", "max", "mean"]


# the CPU table's columns (loadtests/cpu.py): ours, then the machine's other processes and steal
CPU_GROUPS = ("generator", "portal", "postgres", "redis", "others", "steal")


def load_blocks(run: RunFolder, recordings: Recordings | None) -> list[Block]:
    manifest = run.load_manifest
    if manifest is None or recordings is None:
        why = (
            run.manifest.load_tests
            or "the load tests did not run (not in this run's "
            "--suite, or the [loadtest] extra is not installed)"
        )
        return [Block(missing=[f"Load tests: {why}."])]
    blocks = [_settings_block(manifest, recordings)]
    for model in manifest.models or []:
        blocks.append(_model_block(run, recordings, str(model), manifest))
    blocks += [_runs_block(run, manifest), _validity_block(run)]
    return blocks


# Runs from before the record say nothing of where their rate came from.
_RATE_ORIGIN = {
    "True": " (given: loadtest --rate, bench --load-rate)",
    "False": " (a share of the slowest arm's capacity)",
}


def _settings_block(manifest: Manifest, recordings: Recordings) -> Block:
    block = Block(title="How the load was made")
    finished = {run.name for run in manifest.runs or []}
    unfinished = [name for name in (manifest.planned or []) if name not in finished]
    block.facts += [
        ("arms", text(manifest.arms)),
        ("models", text(manifest.models)),
        ("repetitions", number(manifest.repetitions)),
        ("closed model users", number(manifest.users)),
        (
            "open model offered rate",
            rate(manifest.open_rate) + _RATE_ORIGIN.get(str(manifest.open_rate_given), ""),
        ),
        (
            "warm-up, then measured",
            f"{duration(manifest.warmup_s)}, then {duration(manifest.duration_s)} per run",
        ),
        ("generator processes", number(manifest.generator_processes)),
        ("portal workers", number(manifest.portal_workers)),
        ("scale", text(manifest.scales)),
    ]
    if unfinished:
        block.missing.append(f"Planned load runs that did not finish: {', '.join(unfinished)}.")
    if recordings.missing:
        block.missing.append(
            f"Load runs without a histogram file: {', '.join(recordings.missing)}."
        )
    return block


def _throughput(run: RunFolder, model: str) -> dict[tuple[str, str], tuple[float, float]]:
    """(route, arm) -> (mean throughput over repetitions, failures summed)."""
    tidy = run.tidy
    if tidy.empty:
        return {}
    rows = tidy[(tidy["suite"] == "load") & (tidy["variant"] == model)]
    found: dict[tuple[str, str], tuple[float, float]] = {}
    for (route, arm), group in rows.groupby(["series", "arm"]):
        through = group[group["metric"] == "throughput"]["value"].astype(float)
        failures = group[group["metric"] == "failures"]["value"].astype(float)
        found[(str(route), str(arm))] = (
            float(through.mean()) if len(through) else float("nan"),
            float(failures.sum()),
        )
    return found


def _model_block(run: RunFolder, recordings: Recordings, model: str, manifest: Manifest) -> Block:
    kind: Kind = "intended" if model == "open" else "service"
    how = "from each request's intended start" if kind == "intended" else "from the send"
    block = Block(title=f"{model.capitalize()} model: every endpoint, every arm")
    arms = [str(a) for a in (manifest.arms or [])]
    keys = {arm: [k for k in recordings.runs if k.model == model and k.arm == arm] for arm in arms}
    curves, counts = {}, {}
    for arm in arms:
        merged = recordings.merged(keys[arm], None, kind)
        if merged is not None:
            curves[arm], counts[arm] = cdf(merged), total(merged)
    if curves:
        block.plots.append(
            cdf_plot(curves, counts=counts, title=f"{model} model, every request, latency {how}")
        )
    through = _throughput(run, model)
    table = Table(
        f"Latency {how} (merged over repetitions) and throughput (mean over repetitions)",
        ["endpoint", "arm", "requests", "failures", "throughput", *LATENCY_HEADERS],
        [],
    )
    for route in [ALL, *recordings.routes()]:
        for arm in arms:
            found = summary(recordings.merged(keys[arm], None if route == ALL else [route], kind))
            if found is None:
                continue
            per_second, failures = through.get((route, arm), (float("nan"), float("nan")))
            table.rows.append(
                [
                    "every request" if route == ALL else route,
                    arm,
                    count(found["count"]),
                    count(failures),
                    rate(per_second),
                    *(milliseconds(found[f"{p}_s"]) for p in LATENCY_HEADERS),
                ]
            )
    block.tables.append(table)
    return block


def _runs_block(run: RunFolder, manifest: Manifest) -> Block:
    """Each load run: rates, database load per request, CPU per process group."""
    tidy = run.tidy
    every = tidy[(tidy["suite"] == "load") & (tidy["series"] == ALL)] if not tidy.empty else tidy
    figures: dict[tuple[str, str, int], dict[str, float]] = {}
    for row in every.to_dict("records"):
        key = (str(row["variant"]), str(row["arm"]), int(row["repetition"]))
        figures.setdefault(key, {})[str(row["metric"])] = float(row["value"])
    block = Block(title="Each load run: rates, database load, CPU")
    rates = Table(
        "Rates and the database's work per request",
        [
            "run",
            "offered",
            "achieved",
            "requests",
            "DB statements / request",
            "portal statements / request",
            "hit ratio",
            "late starts",
        ],
        [],
    )
    cpu = Table(
        "CPU per process group (cores busy; the machine has "
        f"{number(run.manifest.machine.cpus if run.manifest.machine else None)})",
        ["run", "load generator", "portal", "PostgreSQL", "Redis", "other processes", "steal"],
        [],
    )
    for entry in manifest.runs or []:
        key = (entry.model, entry.arm, entry.repetition)
        found = figures.get(key, {})
        used = entry.cpu or {}
        rates.rows.append(
            [
                str(entry.name),
                rate(entry.offered_rps),
                rate(entry.achieved_rps),
                count(entry.requests),
                number(found.get("db_statements_per_request")),
                number(found.get("portal_statements_per_request")),
                percent(found.get("hit_ratio")),
                count(found.get("late_starts")),
            ]
        )
        cpu.rows.append(
            [
                str(entry.name),
                *(cores(used.get(group)) for group in CPU_GROUPS),
            ]
        )
    rates.note = "The hit ratio is X-Cache HIT / (HIT + MISS); — where the cache was off."
    block.tables += [rates, cpu]
    return block


def _validity_block(run: RunFolder) -> Block:
    block = Block(title="The validity guard")
    if run.validity is None:
        block.missing.append("Validity guard: no validity.json in the load run.")
        return block
    table = Table(
        "Comparisons (arms of one repetition)",
        ["model", "repetition", "arms", "valid", "problems"],
        [],
    )
    for comparison in run.validity.get("comparisons", []):
        table.rows.append(
            [
                str(comparison.get("model")),
                str(comparison.get("repetition")),
                text(comparison.get("arms")),
                text(bool(comparison.get("valid"))),
                text(comparison.get("problems") or "none"),
            ]
        )
    block.tables.append(table)
    flagged = {
        name: problems for name, problems in run.validity.get("runs", {}).items() if problems
    }
    for name, problems in flagged.items():
        block.notes.append(f"Run {name}: {'; '.join(problems)}")
    if not flagged:
        block.notes.append("No single run was flagged (saturation, failures, late starts).")
    return block
