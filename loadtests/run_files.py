"""The files a load run writes from its runs: tidy.csv, servers.json, validity.json, summary.txt.

The figures go in tidy rows (the table ``benchmarks/`` writes) and a short summary.

Suite ``load``; a series per route (``GET /api/products``) and ``ALL``; the
arm is the load arm (``all-on``, ``no-cache``, ...), the variant the load model
(``closed``, ``open``), the repetition its index. Latencies come from the HDR
histograms (``latency_*``; the open model also ``intended_*``, from each
request's scheduled start); per second of the run, ``hit_ratio_second`` (the
``round`` is the second, the warm-up included) shows the cold cache warming.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from benchmarks.results import ResultFolder
from benchmarks.tidy import write_tidy
from loadtests.arm_run import ArmRun
from loadtests.arms import LoadArm
from loadtests.guard import comparison_problems, run_problems
from loadtests.recorder import RouteRecord, latency_summary
from portal.files import write_json_atomically, write_text_atomically

_LATENCIES = ("p50_s", "p90_s", "p99_s", "p99.9_s", "max_s", "mean_s")


def _merged(run: ArmRun) -> RouteRecord:
    total = RouteRecord()
    for record in run.recorded["measured"].routes.values():
        total.add(record)
    return total


def _route_rows(
    record: RouteRecord, seconds: float, model: str
) -> Iterator[tuple[str, float, str]]:
    yield "requests", record.requests, "1"
    yield "failures", record.failures, "1"
    yield "throughput", record.requests / seconds if seconds else 0.0, "1/s"
    service = latency_summary(record.service)
    for key in _LATENCIES:
        yield f"latency_{key[:-2]}", float(service[key]), "s"
    if model == "open":
        intended = latency_summary(record.intended)
        for key in _LATENCIES:
            yield f"intended_{key[:-2]}", float(intended[key]), "s"
    hits, misses = record.x_cache.get("HIT", 0), record.x_cache.get("MISS", 0)
    if hits or misses:
        yield "x_cache_hit", hits, "1"
        yield "x_cache_miss", misses, "1"
        yield "hit_ratio", hits / (hits + misses), "1"


def _server_rows(run: ArmRun, requests: int) -> Iterator[tuple[str, float, str]]:
    servers = run.servers
    calls = servers["pg_stat_statements_calls"]
    if calls is not None:
        yield "db_statements", calls, "1"
        yield "db_statements_per_request", calls / requests if requests else 0.0, "1"
    if run.portal_statements is not None:
        yield "portal_statements", run.portal_statements, "1"
        per_request = run.portal_statements / requests if requests else 0.0
        yield "portal_statements_per_request", per_request, "1"
    for key, value in servers.get("database", {}).items():
        yield f"db_{key}", value, "1"
    if servers.get("tables"):  # an open window reads pg_stat_statements alone
        yield "seq_scans", sum(t["seq_scan"] for t in servers["tables"].values()), "1"
        yield "idx_scans", sum(t["idx_scan"] for t in servers["tables"].values()), "1"
    for key, value in servers.get("redis", {}).items():
        yield f"redis_{key}", value, "1"
    yield from _cache_rows(servers)
    for group, share in run.cpu.items():
        if ":" not in group:  # per-process shares stay in servers.json
            yield f"cpu_{group}", share, "cores"
    measured = run.recorded["measured"]
    if run.model == "open":
        yield "scheduled_starts", measured.scheduled, "1"
        yield "late_starts", measured.late, "1"
        yield "offered_rate", run.offered_rps or 0.0, "1/s"


def _cache_rows(servers: dict[str, Any]) -> Iterator[tuple[str, float, str]]:
    """The hit ratio as the servers counted it: the portal's cache layer (the hit ratio's
    second witness) and Redis's keyspace (context: it counts version-token reads too)."""
    portal = servers.get("portal") or {}
    hits, misses = portal.get("cache_hits", 0.0), portal.get("cache_misses", 0.0)
    if hits or misses:
        yield "portal_cache_hit", hits, "1"
        yield "portal_cache_miss", misses, "1"
        yield "portal_hit_ratio", hits / (hits + misses), "1"
    keyspace = servers.get("redis") or {}
    hits, misses = keyspace.get("keyspace_hits", 0), keyspace.get("keyspace_misses", 0)
    if hits or misses:
        yield "redis_hit_ratio", hits / (hits + misses), "1"


def observations(
    runs: Sequence[ArmRun], *, run: str, scale: str, rows: dict[str, int]
) -> Iterator[dict[str, Any]]:
    for arm_run in runs:
        arm = arm_run.arm
        assert isinstance(arm, LoadArm), "the portal's run files hold the portal's arms"
        base = {
            "run": run,
            "suite": "load",
            "variant": arm_run.model,
            "arm": arm_run.arm.name,
            "cache": arm.cache,
            "warm": "-",
            "indexes": arm.indexes,
            "scale": scale,
            "size_table": "orders",
            "rows": rows.get("orders", 0),
            "repetition": arm_run.repetition,
            "round": 0,
        }
        measured = arm_run.recorded["measured"]
        for route, record in sorted(measured.routes.items()):
            for metric, value, unit in _route_rows(record, arm_run.seconds, arm_run.model):
                yield {**base, "series": route, "operation": route, "metric": metric,
                       "value": value, "unit": unit}  # fmt: skip
        total = _merged(arm_run)
        everything = [
            *_route_rows(total, arm_run.seconds, arm_run.model),
            *_server_rows(arm_run, total.requests),
            ("valid", 0 if run_problems(arm_run.facts()) else 1, "1"),
        ]
        for metric, value, unit in everything:
            yield {**base, "series": "ALL", "operation": "ALL", "metric": metric,
                   "value": value, "unit": unit}  # fmt: skip
        curve: dict[int, list[int]] = {}
        for phase in ("warmup", "measured"):
            for second, (hits, answers) in arm_run.recorded[phase].per_second.items():
                counts = curve.setdefault(second, [0, 0])
                counts[0] += hits
                counts[1] += answers
        for second, (hits, answers) in sorted(curve.items()):
            yield {**base, "series": "ALL", "operation": "ALL", "round": second,
                   "metric": "hit_ratio_second", "value": hits / answers if answers else 0.0,
                   "unit": "1"}  # fmt: skip


def summary_lines(runs: Sequence[ArmRun], validity: dict[str, Any]) -> list[str]:
    """Per run: achieved rate, p50/p99 of everything, hit ratio, statements per request, CPU."""
    header = (
        f"{'run':<30} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'hits':>6} "
        f"{'db st/req':>9} {'cpu gen':>7} {'cpu portal':>10}  problems"
    )
    lines = ["Load runs (measured window; latency from HDR histograms):", header]
    for run in runs:
        total = _merged(run)
        service = latency_summary(total.intended if run.model == "open" else total.service)
        hits, misses = total.x_cache.get("HIT", 0), total.x_cache.get("MISS", 0)
        ratio = f"{hits / (hits + misses):.0%}" if hits + misses else "-"
        calls = run.servers["pg_stat_statements_calls"]
        per_request = (
            f"{calls / total.requests:.2f}" if calls is not None and total.requests else "-"
        )
        problems = "; ".join(validity["runs"].get(run.name, [])) or "-"
        lines.append(
            f"{run.name:<30} {total.requests / run.seconds if run.seconds else 0:>8.1f} "
            f"{float(service['p50_s']) * 1e3:>8.2f} {float(service['p99_s']) * 1e3:>8.2f} "
            f"{ratio:>6} {per_request:>9} {run.cpu.get('generator', 0):>7.2f} "
            f"{run.cpu.get('portal', 0):>10.2f}  {problems}"
        )
    for comparison in validity["comparisons"]:
        state = "valid" if comparison["valid"] else "INVALID: " + "; ".join(comparison["problems"])
        lines.append(f"{comparison['model']} repetition {comparison['repetition']}: {state}")
    return lines


def write_tables(
    folder: ResultFolder, runs: list[ArmRun], scale: str, rows: dict[str, int]
) -> list[str]:
    """tidy.csv, servers.json, validity.json, summary.txt; the summary lines."""
    run_id = folder.path.name
    write_tidy(folder.file("tidy.csv"), observations(runs, run=run_id, scale=scale, rows=rows))
    servers = {run.name: {"servers": run.servers, "cpu": run.cpu} for run in runs}
    write_json_atomically(folder.file("servers.json"), servers)
    comparisons = []
    for model in {run.model for run in runs}:
        for repetition in sorted({run.repetition for run in runs if run.model == model}):
            group = [
                run.facts() for run in runs if (run.model, run.repetition) == (model, repetition)
            ]
            problems = comparison_problems(group, awaited=model == "open")
            comparisons.append({"model": model, "repetition": repetition,
                                "arms": [f.arm for f in group], "valid": not problems,
                                "problems": problems})  # fmt: skip
    validity = {
        "runs": {run.name: run_problems(run.facts()) for run in runs},
        "comparisons": comparisons,
    }
    write_json_atomically(folder.file("validity.json"), validity)
    lines = summary_lines(runs, validity)
    write_text_atomically(folder.file("summary.txt"), "\n".join(lines) + "\n")
    return lines
