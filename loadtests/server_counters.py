"""Server-side evidence of a load run: the database's and Redis's own counters, before and after.

The client says what it saw; these say what the servers did. Deltas over the
measured window of:

* ``pg_stat_statements``: statements executed in the portal's database (when
  the server preloads it; otherwise said why not);
* ``pg_stat_database``: transactions, rows returned and fetched, block hits
  and reads;
* ``pg_stat_user_tables``: sequential vs index scans per table;
* Redis ``INFO``: ``keyspace_hits`` and ``keyspace_misses``;
* the portal's own Prometheus counters (``portal_counters``): statements it
  ran and its cache layer's hits and misses, summed over its workers.

Two of these are second witnesses of a claim's figure: the portal's cache
counters beside the ``X-Cache`` headers the generator saw, and its statement
counter beside ``pg_stat_statements`` (``reports/witnesses.py`` compares
them). Redis's keyspace counters are kept but witness nothing about responses:
a lookup reads the entry *and* its version tokens in one ``MGET``, each key
counted, and a stale entry is a Redis hit yet a portal miss.

PostgreSQL publishes a backend's counters when it goes idle (at most a second
later), so the "after" snapshot waits ``SETTLE_S`` once the load has stopped.
"""

from __future__ import annotations

import time
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import psycopg
import redis
from prometheus_client.parser import text_string_to_metric_families

SETTLE_S = 1.5

# The counters each run records (as ``db_<name>`` and ``redis_<name>`` in the tidy table).
DATABASE_COUNTERS = ("transactions", "tup_returned", "tup_fetched", "blks_hit", "blks_read")
REDIS_COUNTERS = ("keyspace_hits", "keyspace_misses")
_DATABASE = (
    "SELECT xact_commit + xact_rollback AS transactions, tup_returned, tup_fetched,"
    " blks_hit, blks_read FROM pg_stat_database WHERE datname = current_database()"
)
# the portal's tables only: the loaded state's copies (schema perfproof_loaded) share names
_TABLES = (
    "SELECT relname, seq_scan, coalesce(idx_scan, 0) FROM pg_stat_user_tables"
    " WHERE schemaname = 'public'"
)
# The statements of the database the run measures, less the harness's own reads of the
# statistics views (this one, pg_stat_database, pg_stat_user_tables), which run at each
# window's edges: in a window of 40 requests one read was one statement in 40 more.
OF_THE_SERVICE = (
    " WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())"
    " AND query NOT LIKE '%pg_stat%'"
)
_STATEMENTS = "SELECT coalesce(sum(calls), 0)::bigint FROM pg_stat_statements" + OF_THE_SERVICE


@dataclass(frozen=True)
class Snapshot:
    taken: float
    database: dict[str, int]
    tables: dict[str, tuple[int, int]]  # relname -> (seq_scan, idx_scan)
    statements: int | None  # None: pg_stat_statements is not available
    redis: dict[str, int] = field(default_factory=dict)


def snapshot(database_url: str, redis_url: str) -> Snapshot:
    with psycopg.connect(database_url, autocommit=True) as conn:
        row = conn.execute(_DATABASE).fetchone()
        assert row is not None
        database = dict(zip(DATABASE_COUNTERS, (int(value) for value in row), strict=True))
        tables = {name: (int(seq), int(idx)) for name, seq, idx in conn.execute(_TABLES)}
        try:
            found = conn.execute(_STATEMENTS).fetchone()
            statements = int(found[0]) if found else None
        except psycopg.Error:
            statements = None
    return Snapshot(time.time(), database, tables, statements, redis_counters(redis_url))


def redis_counters(redis_url: str) -> dict[str, int]:
    """Redis's own ``keyspace_hits`` and ``keyspace_misses`` so far (``INFO stats``)."""
    with redis.Redis.from_url(redis_url, socket_timeout=5) as client:
        info: Mapping[str, Any] = client.info("stats")
    return {key: int(info.get(key, 0)) for key in REDIS_COUNTERS}


def delta(before: Snapshot, after: Snapshot) -> dict[str, Any]:
    """What the servers did between the two snapshots."""
    tables = {
        name: {
            "seq_scan": after.tables[name][0] - before.tables.get(name, (0, 0))[0],
            "idx_scan": after.tables[name][1] - before.tables.get(name, (0, 0))[1],
        }
        for name in after.tables
    }
    statements = (
        after.statements - before.statements
        if after.statements is not None and before.statements is not None
        else None
    )
    return {
        "seconds": after.taken - before.taken,
        "database": {key: after.database[key] - before.database[key] for key in after.database},
        "tables": tables,
        "pg_stat_statements_calls": statements,
        "redis": {key: after.redis[key] - before.redis.get(key, 0) for key in after.redis},
    }


# What ``portal_counters`` reads, by the names the run's evidence keeps them under.
PORTAL_COUNTERS = ("statements", "cache_hits", "cache_misses")


def portal_counters(url: str) -> dict[str, float] | None:
    """The portal's own counts so far, from its ``/metrics``: statements, cache hits, misses.

    None when ``/metrics`` does not answer (``PORTAL_MONITORING=off``). With several
    workers, the one that answers refreshes its own cache counters; the others' lag by
    at most their sampling period (``PORTAL_MONITORING_SAMPLE_S``).
    """
    try:
        with urllib.request.urlopen(f"{url}/metrics", timeout=10) as response:
            text = response.read().decode()
    except OSError:
        return None
    found: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        if family.name == "portal_db_statement_duration_seconds":
            counts = [s.value for s in family.samples if s.name.endswith("_count")]
            found["statements"] = found.get("statements", 0.0) + sum(counts)
        elif family.name == "portal_cache_events":
            found.setdefault("cache_hits", 0.0)  # the family is there: zero is a count
            found.setdefault("cache_misses", 0.0)
            for sample in family.samples:
                event = sample.labels.get("event")
                if sample.name.endswith("_total") and event in ("hits", "misses"):
                    found[f"cache_{event}"] += sample.value
    return found


def portal_delta(
    before: Mapping[str, float] | None, after: Mapping[str, float] | None
) -> dict[str, float]:
    """What the portal counted between two readings; empty when either is missing."""
    if before is None or after is None:
        return {}
    return {key: after[key] - before[key] for key in after if key in before}
