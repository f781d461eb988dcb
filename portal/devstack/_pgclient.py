"""Talking to a PostgreSQL server: reachability in one sentence, and databases on demand."""

from __future__ import annotations

import re
import time

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from ._common import ServiceUnavailable, log, redact, with_dbname

CONNECT_TIMEOUT_S = 3


def where(url: str) -> str:
    """``host:port`` of a libpq URL, for messages that must not show the password."""
    try:
        params = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return redact(url)
    host = str(params.get("host") or params.get("hostaddr") or "the local socket")
    return f"{host}:{params.get('port') or 5432}"


def reason(exc: psycopg.Error) -> str:
    """The useful tail of a libpq error ("connection refused"), without its hints.

    libpq reports every host it tried; the last "failed: ..." is the one that counts.
    """
    text = str(exc).strip()
    found = re.findall(r"^.*failed: (?:FATAL:\s*)?(.+)$", text, re.MULTILINE)
    detail = (found[-1] if found else text.splitlines()[0] if text else type(exc).__name__).strip()
    detail = detail.rstrip(".")
    return detail[:1].lower() + detail[1:]


def _fail(url: str, source: str, exc: psycopg.Error) -> ServiceUnavailable:
    verb = "rejected the connection" if "FATAL" in str(exc) else "is unreachable"
    return ServiceUnavailable(f"PostgreSQL at {where(url)} ({source}) {verb}: {reason(exc)}.")


def _missing_database(exc: psycopg.Error) -> bool:
    return bool(re.search(r'database ".*" does not exist', str(exc)))


def server_version(url: str) -> str:
    """Return ``server_version`` ("18.6"); connecting also proves the server answers."""
    with psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT_S) as conn:
        row = conn.execute("SELECT current_setting('server_version')").fetchone()
    return str(row[0]) if row else "?"


def check_postgres(url: str, source: str) -> bool:
    """Make sure a configured server answers; create its database if only that is missing.

    Returns whether the database was created. Raises ``ServiceUnavailable`` with one
    sentence naming ``source`` (the variable or argument the URL came from).
    """
    try:
        server_version(url)
    except psycopg.OperationalError as exc:
        if not _missing_database(exc):
            raise _fail(url, source, exc) from None
    else:
        return False
    dbname = str(conninfo_to_dict(url).get("dbname") or "")
    ensure_database(url, dbname)
    return True


def _maintenance_connection(server_url: str, avoid: str) -> psycopg.Connection[tuple[object, ...]]:
    """Connect to a database other than ``avoid`` on the server (``postgres``, else the URL's)."""
    candidates = [with_dbname(server_url, "postgres"), server_url]
    error: psycopg.OperationalError | None = None
    for candidate in candidates:
        if conninfo_to_dict(candidate).get("dbname") == avoid:
            continue
        try:
            return psycopg.connect(candidate, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S)
        except psycopg.OperationalError as exc:
            error = exc
    if error is None:
        raise ServiceUnavailable(
            f"Cannot manage database {avoid!r} on PostgreSQL at {where(server_url)}: "
            "no other database to connect to."
        )
    raise _fail(server_url, "server URL", error)


def ensure_database(server_url: str, dbname: str, *, recreate: bool = False) -> str:
    """Create database ``dbname`` on the server of ``server_url`` if missing; return its URL.

    Tests and benchmarks each want a database of their own on one shared server;
    ``recreate=True`` drops it first (``WITH (FORCE)``) for a clean slate.
    """
    name = sql.Identifier(dbname)
    with _maintenance_connection(server_url, dbname) as conn:
        try:
            exists = (
                conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,)).fetchone()
                is not None
            )
            if exists and recreate:
                conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(name))
                exists = False
            if not exists:
                try:
                    conn.execute(sql.SQL("CREATE DATABASE {}").format(name))
                    log.info("created database %s on %s", dbname, where(server_url))
                except psycopg.errors.DuplicateDatabase:
                    pass  # another process won the race; the database exists, which is all we need
        except psycopg.Error as exc:
            raise ServiceUnavailable(
                f"Could not create database {dbname!r} on PostgreSQL at {where(server_url)}: "
                f"{reason(exc)}."
            ) from None
    return with_dbname(server_url, dbname)


def copy_database(server_url: str, source: str, target: str) -> str:
    """A fresh copy of database ``source`` named ``target`` (dropped first); its URL.

    ``CREATE DATABASE ... TEMPLATE`` copies files, not rows: seconds, where loading the
    data again takes minutes. PostgreSQL refuses while anyone is connected to the
    source, so a refusal is retried for a few seconds (a backend still closing).
    """
    deadline = time.monotonic() + 10.0
    with _maintenance_connection(server_url, source) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(target))
        )
        while True:
            try:
                conn.execute(
                    sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                        sql.Identifier(target), sql.Identifier(source)
                    )
                )
                break
            except psycopg.errors.ObjectInUse as exc:
                if time.monotonic() > deadline:
                    who = conn.execute(
                        "SELECT pid, application_name, client_addr, state, left(query, 60)"
                        " FROM pg_stat_activity WHERE datname = %s",
                        (source,),
                    ).fetchall()
                    raise ServiceUnavailable(
                        f"Could not copy database {source!r}: {reason(exc)} ({who})."
                    ) from None
                time.sleep(0.2)
    return with_dbname(server_url, target)


def drop_database(server_url: str, name: str) -> None:
    """Drop database ``name`` if it exists, whoever is connected to it."""
    with _maintenance_connection(server_url, name) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
