"""What a target's own parts testify over a window: PostgreSQL, Redis, the processes' CPU.

Each source is read only when the target file declares it (``[evidence]``):
``pg_stat_statements`` calls in the named database (statements per request:
the database load), Redis's keyspace hits and misses (``INFO stats``), and
the CPU (and, with ``process_tree``, the resident memory at the window's end) of
the service's process tree beside the load generator's, PostgreSQL's
and Redis's (``loadtests/cpu.py``: a saturated generator measures itself, and
the validity guard says so). Read at the measured window's edges, so they
cover the same seconds as the latencies. A source that cannot be read is one
line naming it (:class:`EvidenceFailed`), before any load is sent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import psutil
import psycopg

from loadtests.cpu import CpuMeter
from loadtests.server_counters import OF_THE_SERVICE, redis_counters
from perfproof.targets.model import Evidence

STATEMENTS = (
    "SELECT coalesce(sum(calls), 0)::bigint, coalesce(sum(rows), 0)::bigint,"
    " coalesce(sum(total_exec_time), 0)::float8 FROM pg_stat_statements" + OF_THE_SERVICE
)


class EvidenceFailed(RuntimeError):
    """A declared evidence source cannot be read; the message is the one line to show."""


class Witnesses:
    """The declared sources, opened once for the run; ``close`` when done."""

    def __init__(self, evidence: Evidence, hide: Callable[[str], str]) -> None:
        self.evidence = evidence
        self.hide = hide
        self.pg: psycopg.Connection[tuple[Any, ...]] | None = None
        if evidence.postgres_url:
            try:
                self.pg = psycopg.connect(
                    evidence.postgres_url, autocommit=True, connect_timeout=10
                )
                self._statements()
            except psycopg.Error as error:
                said = " ".join(str(error).split())[:200]
                raise EvidenceFailed(
                    f"evidence.postgres_url ({hide(evidence.postgres_url)}): pg_stat_statements "
                    f"cannot be read ({said}); install it (CREATE EXTENSION pg_stat_statements, "
                    "with shared_preload_libraries) or drop the key"
                ) from None
        if evidence.redis_url:
            try:
                redis_counters(evidence.redis_url)
            except Exception as error:  # redis-py's errors, and a URL it cannot parse
                raise EvidenceFailed(
                    f"evidence.redis_url ({hide(evidence.redis_url)}): Redis cannot be read: "
                    f"{type(error).__name__}"
                ) from None

    def _statements(self) -> tuple[int, int, float]:
        """Statements, rows and milliseconds of execution in the database so far."""
        assert self.pg is not None
        row = self.pg.execute(STATEMENTS).fetchone()
        return (int(row[0]), int(row[1]), float(row[2])) if row else (0, 0, 0.0)

    def opening(self, generator_pid: int, service_pid: int | None) -> Callable[[], dict[str, Any]]:
        """Read every source now; what reads them again at the window's end, as deltas."""
        meter = CpuMeter(generator_pid=generator_pid, portal_pid=service_pid)
        meter.start()
        calls = self._statements() if self.pg is not None else None
        keyspace = redis_counters(self.evidence.redis_url) if self.evidence.redis_url else None

        def closing() -> dict[str, Any]:
            found: dict[str, Any] = {"cpu": meter.stop()}
            if service_pid is not None and self.evidence.process_tree:
                found["service_rss_mb"] = round(_tree_rss(service_pid) / 2**20, 1)
            if calls is not None:
                now = self._statements()
                found["pg_stat_statements_calls"] = now[0] - calls[0]
                found["pg_stat_statements_rows"] = now[1] - calls[1]
                found["pg_stat_statements_ms"] = round(now[2] - calls[2], 3)
            if keyspace is not None and self.evidence.redis_url:
                after = redis_counters(self.evidence.redis_url)
                found["redis"] = {key: after[key] - keyspace[key] for key in keyspace}
            return found

        return closing

    def close(self) -> None:
        if self.pg is not None:
            self.pg.close()


def _tree_rss(pid: int) -> int:
    """Resident memory of a process and its descendants, bytes (those gone meanwhile: 0)."""
    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for process in processes:
        try:
            total += process.memory_info().rss
        except psutil.Error:
            continue
    return total
