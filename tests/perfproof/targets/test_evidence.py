"""A target's evidence counts the service's statements, not perfproof's reads of them.

Against the session's real PostgreSQL (``pg_stat_statements`` preloaded, as the
embedded server and CI's do): a window in which the service ran three statements
reads three, although perfproof read the statistics view at both of its edges.
"""

from __future__ import annotations

import os

import psycopg

from perfproof.targets.evidence import Witnesses
from perfproof.targets.model import Evidence


def test_a_window_counts_the_services_statements_and_not_its_own_reads(database_url: str) -> None:
    with psycopg.connect(database_url, autocommit=True) as service:
        service.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        witnesses = Witnesses(Evidence(postgres_url=database_url), hide=lambda text: text)
        try:
            closing = witnesses.opening(os.getpid(), None)
            for n in range(3):
                service.execute("SELECT %s::int + 1", (n,))
            found = closing()
            # Read again at once: a window with nothing of the service's in it reads 0.
            empty = witnesses.opening(os.getpid(), None)()
        finally:
            witnesses.close()
    assert found["pg_stat_statements_calls"] == 3, found
    assert empty["pg_stat_statements_calls"] == 0, empty
