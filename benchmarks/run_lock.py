"""One ``perfproof bench`` per PostgreSQL server at a time.

Two runs on one server measure each other: they switch the same datasets'
indexes on and off under each other (``set_indexes`` of one deadlocked with
the other's), write into the data the other reads, and share its cores. A
second run therefore waits, saying so, until the first is done, before its run
folder exists. The lock is a session-level advisory lock on the server's
configured database, so it goes with the connection: a run that crashes or is
killed releases it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import psycopg

from portal.devstack import ServiceUnavailable
from portal.settings import libpq_url

RUN_LOCK = 0x7065_7266_7275_6E21  # "perfrun!"; far above any user id the portal locks on
_CONNECT_TIMEOUT_S = 10


@contextmanager
def one_run_per_server(database_url: str, *, say: Callable[[str], None]) -> Iterator[None]:
    """Hold the server's run lock for the body; wait for it (and ``say`` so) if it is taken.

    Ctrl-C while waiting raises KeyboardInterrupt (psycopg cancels the wait).
    """
    try:
        conn = psycopg.connect(
            libpq_url(database_url), autocommit=True, connect_timeout=_CONNECT_TIMEOUT_S
        )
    except psycopg.Error as error:
        raise ServiceUnavailable(f"PostgreSQL went away before the run: {error}") from None
    try:
        took = conn.execute("SELECT pg_try_advisory_lock(%s)", (RUN_LOCK,)).fetchone()
        if not (took and took[0]):
            say(
                "waiting: another perfproof bench is running on this PostgreSQL server, "
                "and two would measure each other (Ctrl-C to give up)"
            )
            conn.execute("SELECT pg_advisory_lock(%s)", (RUN_LOCK,))
            say("the other run is done: starting")
        yield
    finally:
        conn.close()
