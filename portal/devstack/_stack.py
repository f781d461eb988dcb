"""PostgreSQL and Redis for the portal, tests, benchmarks and load tests, from one place.

A configured URL (``PORTAL_DATABASE_URL`` / ``PORTAL_REDIS_URL``, or an argument)
wins, each independently; otherwise an embedded server runs in the home folder.
Configured URLs are checked first, so a typo fails in a second, before any initdb.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import redis

from portal.home import perfproof_home
from portal.settings import libpq_url

from ._common import ServiceUnavailable, display_path, log, redact, with_dbname
from ._owners import recorded
from ._pgclient import check_postgres
from ._postgres import EmbeddedPostgres
from ._redis import EmbeddedRedis

DATABASE_ENV = "PORTAL_DATABASE_URL"
REDIS_ENV = "PORTAL_REDIS_URL"


@dataclass(frozen=True)
class Services:
    """Where PostgreSQL and Redis are, and a human line saying which ones they are."""

    database_url: str
    redis_url: str
    postgres_description: str
    redis_description: str
    embedded_postgres: bool
    embedded_redis: bool

    def describe(self) -> str:
        """Both description lines, for CLIs and report headers."""
        return f"{self.postgres_description}\n{self.redis_description}"

    def database_url_for(self, dbname: str) -> str:
        """URL of another database on the same server (see ``ensure_database``)."""
        return with_dbname(self.database_url, dbname)

    def env(self) -> dict[str, str]:
        """Environment for subprocesses (uvicorn, locust) so they use the same services."""
        return {DATABASE_ENV: self.database_url, REDIS_ENV: self.redis_url}


def _pick(argument: str | None, env: Mapping[str, str], variable: str, arg: str) -> tuple[str, str]:
    """The configured URL and where it came from; ``("", "")`` means embed."""
    if argument:
        return argument, arg
    return env.get(variable, ""), variable


def _redis_where(url: str) -> str:
    """``host:port`` (or socket path) of a Redis URL, for messages without the password."""
    parts = urlsplit(url)
    if parts.scheme == "unix":
        return parts.path
    return f"{parts.hostname or 'localhost'}:{parts.port or 6379}"


def check_redis(url: str, source: str) -> str:
    """Ping a configured Redis; return its version or raise a one-sentence error."""
    where = _redis_where(url)
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    except ValueError as exc:
        raise ServiceUnavailable(f"{source} is not a Redis URL: {exc}.") from None
    try:
        with client:
            client.ping()
            version = str(client.info("server").get("redis_version", "?"))
    except redis.AuthenticationError:
        raise ServiceUnavailable(
            f"Redis at {where} ({source}) rejected the connection: authentication failed."
        ) from None
    except redis.RedisError as exc:
        raise ServiceUnavailable(
            f"Redis at {where} ({source}) is unreachable: {_redis_reason(exc)}."
        ) from None
    return version


def _redis_reason(exc: BaseException) -> str:
    if isinstance(exc, redis.TimeoutError):
        return "timed out"
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, OSError) and cause.strerror:
            return cause.strerror[:1].lower() + cause.strerror[1:]
        cause = cause.__cause__ or cause.__context__
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text.rstrip(".")


def open_services(
    stack: ExitStack,
    *,
    home: Path | None = None,
    database_url: str | None = None,
    redis_url: str | None = None,
    env: Mapping[str, str] | None = None,
) -> tuple[Services, bool]:
    """Resolve and start services, registering the stops of what it started on ``stack``.

    Returns the services and whether this call launched an embedded server.
    ``services()`` is the usual entry point; the CLI uses this to leave servers running.
    """
    environ = os.environ if env is None else env
    db_url, db_source = _pick(database_url, environ, DATABASE_ENV, "--database-url")
    rd_url, rd_source = _pick(redis_url, environ, REDIS_ENV, "--redis-url")

    if db_url:
        try:
            db_url = libpq_url(db_url)
        except ValueError as exc:
            raise ServiceUnavailable(f"{db_source}: {exc}.") from None
        created = check_postgres(db_url, db_source)
        note = ", database created" if created else ""
        pg_line = f"PostgreSQL: configured {db_source} ({redact(db_url)}{note})"
    if rd_url:
        check_redis(rd_url, rd_source)
        rd_line = f"Redis: configured {rd_source} ({redact(rd_url)})"

    folder = Path(home) if home is not None else perfproof_home(environ)
    embed_pg, embed_rd, launched = not db_url, not rd_url, False
    if embed_pg:
        postgres = stack.enter_context(EmbeddedPostgres(folder))
        db_url, pg_line, launched = postgres.url, postgres.describe(), postgres.started
    if embed_rd:
        cache = stack.enter_context(EmbeddedRedis(folder))
        rd_url, rd_line, launched = cache.url, cache.describe(), launched or cache.started

    log.info("%s", pg_line)
    log.info("%s", rd_line)
    found = Services(
        database_url=db_url,
        redis_url=rd_url,
        postgres_description=pg_line,
        redis_description=rd_line,
        embedded_postgres=embed_pg,
        embedded_redis=embed_rd,
    )
    return found, launched


@contextmanager
def services(
    *,
    home: Path | None = None,
    database_url: str | None = None,
    redis_url: str | None = None,
    env: Mapping[str, str] | None = None,
) -> Iterator[Services]:
    """Provide PostgreSQL and Redis for the duration of the block.

    Arguments override ``env`` (default ``os.environ``). Embedded servers run in
    ``home`` (default ``$PERFPROOF_HOME`` or ``<repo>/.perfproof``); ones already
    running there are reused and left running. Stops only what it started.
    """
    with ExitStack() as stack:
        found, _ = open_services(
            stack, home=home, database_url=database_url, redis_url=redis_url, env=env
        )
        yield found


SERVERS: dict[str, type[EmbeddedPostgres | EmbeddedRedis]] = {
    EmbeddedPostgres.stem: EmbeddedPostgres,
    EmbeddedRedis.stem: EmbeddedRedis,
}


def stop_embedded(home: Path | None = None) -> list[str]:
    """Stop embedded servers left running in ``home``, and orphans anywhere; what was stopped.

    For ``perfproof services --stop`` after ``--detach`` or a killed run (whose
    servers may live in a folder of its own: the faults', a check's).
    """
    folder = Path(home) if home is not None else perfproof_home()
    stopped = []
    for kind in SERVERS.values():
        server = kind(folder)
        if server.stop():
            stopped.append(f"{server.product} at {server.data_path}")
    for record in recorded():
        server = SERVERS[record.stem](Path(record.home))
        if server.stop_if_orphaned() is not None:
            stopped.append(f"{server.product} at {server.data_path}")
    return stopped


def detach_embedded(home: Path | None = None) -> None:
    """The servers this process launched in ``home`` stay running on purpose (``--detach``)."""
    folder = Path(home) if home is not None else perfproof_home()
    for kind in SERVERS.values():
        kind(folder).detach()


def stop_orphans() -> list[str]:
    """Stop the embedded servers whose owner is gone; one line for each.

    A command killed by SIGKILL (or a crash) ran none of its clean-up: its
    servers would run on, unseen, until the machine stops. Every ``perfproof``
    command calls this before it starts.
    """
    said = []
    for record in recorded():
        if record.owner is None or record.owner.alive():
            continue
        server = SERVERS[record.stem](Path(record.home))
        where = f"the embedded {server.product} at {display_path(server.data_path)}"
        try:
            owner = server.stop_if_orphaned()
        except (ServiceUnavailable, OSError) as error:
            said.append(
                f"{where} was left running by {record.owner.describe()}, which is gone, and "
                f"could not be stopped ({error}): stop it with `perfproof services --stop`"
            )
            continue
        if owner is not None:
            said.append(f"stopped {where}: {owner.describe()} left it running and is gone")
    return said
