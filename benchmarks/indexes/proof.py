"""The index proof: does the planner use each index for its query, and what does it buy?

For every index of sql/add-performance-indexes.sql, its probe (the portal's own
statement, parameters picked from the data) runs under ``EXPLAIN (ANALYZE,
FORMAT JSON)`` with the indexes on, then again after the switch turned them
off: a warm-up run, then ``repetitions`` measured runs, median. Each run is
in a transaction that is rolled back, so the cleanup probes (DELETEs) change
nothing.

Timing method: EXPLAIN ANALYZE's "Execution Time" (server side, no client
round trip, instrumentation overhead included); it read ~10-25 % above a
client's timing of the same query when measured (78 ms vs ~62 ms from
pytest-benchmark for one unindexed orders query). Ratios are the portable part.

``force_index_use`` disables sequential scans for the probe's transaction:
on a tiny dataset a seq scan of a few pages is rightly cheaper than any index,
which says nothing about whether the index fits the query. Forced runs answer
"can the planner use it"; unforced runs answer "does it".
"""

from __future__ import annotations

import functools
import statistics
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg.rows import dict_row
from sqlalchemy import TextClause
from sqlalchemy.dialects.postgresql.psycopg import dialect as psycopg_dialect

from benchmarks.indexes.catalog import CatalogEntry, catalog
from benchmarks.indexes.plans import PlanNode, nodes_using_index, scans_of_table
from benchmarks.indexes.redundancy import Redundancy, find_redundant, index_definitions
from portal.db.indexes import set_indexes
from portal.settings import libpq_url

# Sequential scans cost 1e10 extra: the planner still picks one when nothing
# else can answer, so an index it does not pick with this set cannot serve the
# query at all. That penalty also crosses jit_above_cost, and JIT compilation
# (tens of ms) would swamp the timings of the unindexed arm, hence jit=off.
FORCED_SETTINGS: Mapping[str, str] = {"enable_seqscan": "off", "jit": "off"}


class ProofError(Exception):
    """The proof cannot run as asked (no data to pick parameters from, bad arguments)."""


@dataclass(frozen=True)
class ArmResult:
    """One arm (indexes on or off) of one probe: plan facts and medians over the runs."""

    nodes: tuple[str, ...]  # on: the nodes reading the index; off: the scans of the table
    used: bool  # the index appeared in every measured run's plan
    estimated_cost: float  # the planner's total cost of the plan
    actual_ms: float  # median Execution Time
    planning_ms: float  # median Planning Time
    runs_ms: tuple[float, ...]

    @property
    def plan(self) -> str:
        return ", ".join(self.nodes) or "-"


@dataclass(frozen=True)
class IndexProof:
    index: str
    operation: str
    table: str
    query: str  # the statement on one line, psycopg placeholders
    params: dict[str, Any]
    settings: dict[str, str]  # planner settings the runs used
    on: ArmResult
    off: ArmResult
    redundant: Redundancy | None = None

    @property
    def used(self) -> bool:
        return self.on.used

    @property
    def speedup(self) -> float:
        """Unindexed median over indexed median (2.0 = twice as fast with the index)."""
        return self.off.actual_ms / self.on.actual_ms if self.on.actual_ms > 0 else float("inf")


@dataclass(frozen=True)
class ProofReport:
    repetitions: int
    planner_settings: dict[str, str]  # for every probe; a probe may add its own
    proofs: list[IndexProof]
    redundant: list[Redundancy] = field(default_factory=list)

    @property
    def unused(self) -> list[str]:
        return [proof.index for proof in self.proofs if not proof.used]


@dataclass(frozen=True)
class _Probe:
    """A catalogue entry made concrete: SQL text for psycopg and the picked parameters."""

    entry: CatalogEntry
    sql: str
    params: dict[str, Any]
    settings: dict[str, str]  # planner settings for this probe's transactions


def psycopg_sql(clause: TextClause) -> str:
    """The statement as SQLAlchemy sends it through psycopg: ``%(name)s`` placeholders."""
    return str(clause.compile(dialect=_dialect()))


@functools.cache
def _dialect() -> psycopg_dialect:
    """One dialect instance is enough (built on first use: nothing happens at import)."""
    return psycopg_dialect()  # type: ignore[no-untyped-call]


def run_proof(
    database_url: str,
    *,
    repetitions: int = 5,
    force_index_use: bool = False,
    names: list[str] | None = None,
) -> ProofReport:
    """Prove ``names`` (default: every performance index) on the dataset at ``database_url``.

    Leaves the indexes on afterwards, whatever state it found (like the
    benchmarks): the switch is the only thing it changes, and ANALYZE.
    """
    if repetitions < 1:
        raise ProofError(f"repetitions must be at least 1, not {repetitions}")
    try:
        entries = catalog(names)
    except ValueError as error:
        raise ProofError(str(error)) from None
    base = dict(FORCED_SETTINGS) if force_index_use else {}
    set_indexes(database_url, "on")
    try:
        with _connect(database_url) as conn:
            probes = [_concrete(conn, entry, force_index_use) for entry in entries]
            redundant = _redundant(conn, entries)
            on = [_measure(conn, probe, repetitions) for probe in probes]
        set_indexes(database_url, "off")
        with _connect(database_url) as conn:
            off = [_measure(conn, probe, repetitions) for probe in probes]
    finally:
        set_indexes(database_url, "on")
    flagged = {item.index: item for item in redundant}
    proofs = [
        IndexProof(
            index=probe.entry.spec.name,
            operation=probe.entry.spec.operation,
            table=probe.entry.spec.table,
            query=" ".join(probe.sql.split()),
            params=probe.params,
            settings=probe.settings,
            on=arm_on,
            off=arm_off,
            redundant=flagged.get(probe.entry.spec.name),
        )
        for probe, arm_on, arm_off in zip(probes, on, off, strict=True)
    ]
    return ProofReport(repetitions, base, proofs, redundant)


def _connect(database_url: str) -> psycopg.Connection[Any]:
    # prepare_threshold=None: every EXPLAIN is planned afresh with the actual
    # parameter values (psycopg would otherwise prepare it after five runs and
    # the server could switch to a generic plan halfway through the repetitions).
    return psycopg.connect(libpq_url(database_url), autocommit=True, prepare_threshold=None)


def _concrete(conn: psycopg.Connection[Any], entry: CatalogEntry, forced: bool) -> _Probe:
    picked: dict[str, Any] = {}
    if entry.probe.pick is not None:
        with conn.cursor(row_factory=dict_row) as cursor:
            row = cursor.execute(entry.probe.pick).fetchone()
        if row is None or any(value is None for value in row.values()):
            raise ProofError(
                f"{entry.spec.name}: the data has nothing to pick parameters from "
                f"({entry.probe.pick})"
            )
        picked = row
    clause, params = entry.probe.statement(picked)
    settings = {**FORCED_SETTINGS, **entry.probe.forced} if forced else {}
    return _Probe(entry=entry, sql=psycopg_sql(clause), params=params, settings=settings)


def _redundant(conn: psycopg.Connection[Any], entries: list[CatalogEntry]) -> list[Redundancy]:
    tables = sorted({entry.spec.table for entry in entries})
    ours = {entry.spec.name for entry in entries}
    return [item for item in find_redundant(index_definitions(conn, tables)) if item.index in ours]


def _explain(conn: psycopg.Connection[Any], probe: _Probe) -> dict[str, Any]:
    """One EXPLAIN ANALYZE in a rolled-back transaction; the JSON document's single entry."""
    with conn.transaction(force_rollback=True):
        for name, value in probe.settings.items():
            conn.execute("SELECT set_config(%s, %s, true)", (name, value))
        row = conn.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {probe.sql}", probe.params).fetchone()
    assert row is not None
    document: dict[str, Any] = row[0][0]
    return document


def _measure(conn: psycopg.Connection[Any], probe: _Probe, repetitions: int) -> ArmResult:
    _explain(conn, probe)  # warm-up: caches, catalogue lookups
    runs = [_explain(conn, probe) for _ in range(repetitions)]
    index, table = probe.entry.spec.name, probe.entry.spec.table
    roots: list[PlanNode] = [run["Plan"] for run in runs]
    used = all(nodes_using_index(root, index) for root in roots)
    last = roots[-1]
    nodes = nodes_using_index(last, index) if used else scans_of_table(last, table)
    execution = [float(run["Execution Time"]) for run in runs]
    return ArmResult(
        nodes=tuple(nodes),
        used=used,
        estimated_cost=float(statistics.median(float(root["Total Cost"]) for root in roots)),
        actual_ms=statistics.median(execution),
        planning_ms=statistics.median(float(run["Planning Time"]) for run in runs),
        runs_ms=tuple(execution),
    )
