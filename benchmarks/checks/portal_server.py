"""The portal under check: a real uvicorn child process with a key prefix of its own.

Every portal a check serves gets a fresh ``PORTAL_CACHE_PREFIX``, so its
entries can be read back from Redis (TTLs) and can never be confused with
those of another portal sharing that Redis; they are deleted again when the
server stops. The child's environment is this process's without any
``PORTAL_*`` setting the caller's shell may carry, plus the two service URLs
and the variant's changes: a check measures the portal's defaults unless it
is told which setting differs (that is how the tests break it on purpose).
Its stderr, where the portal's warnings land, is kept in a file the slow-query
check reads.
"""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import redis

from benchmarks.servers import serving
from portal.cli.serve import APP
from portal.datagen.tokens_file import DatasetUser
from portal.monitoring.multiproc import ENV as METRICS_FOLDER_ENV

_serial = itertools.count(1)
_FORGET_BATCH = 500


@dataclass(frozen=True)
class ServedPortal:
    """A running portal: where it answers, its key prefix, its Redis and its log."""

    url: str
    prefix: str
    redis_url: str
    log: Path

    def log_size(self) -> int:
        return self.log.stat().st_size if self.log.exists() else 0

    def log_since(self, offset: int) -> str:
        """What the server wrote to stderr after ``offset`` bytes."""
        with self.log.open("rb") as handle:
            handle.seek(offset)
            return handle.read().decode(errors="replace")


def new_prefix() -> str:
    """A key prefix no other portal uses: this process, a counter and the time."""
    return f"ppcheck{os.getpid()}x{next(_serial)}x{time.time_ns() % 10**9}"


def portal_environment(
    database_url: str, redis_url: str, prefix: str, changes: Mapping[str, str]
) -> dict[str, str]:
    """The child's whole environment: ours minus PORTAL_* settings, plus the portal's own."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("PORTAL_") and name != METRICS_FOLDER_ENV
    }
    env["PORTAL_DATABASE_URL"] = database_url
    env["PORTAL_REDIS_URL"] = redis_url
    env["PORTAL_CACHE_PREFIX"] = prefix
    env.update(changes)
    return env


@contextmanager
def serve_portal(
    *,
    database_url: str,
    redis_url: str,
    log: Path,
    app: str = APP,
    changes: Mapping[str, str] | None = None,
    workers: int = 1,
) -> Iterator[ServedPortal]:
    """Serve ``app`` (a ``module:factory``) until the block ends; then forget its keys."""
    prefix = new_prefix()
    env = portal_environment(database_url, redis_url, prefix, changes or {})
    try:
        with serving(env, app=app, log=log, workers=workers, start_timeout_s=30) as served:
            yield ServedPortal(served.url, prefix, redis_url, log)
    finally:
        forget_prefix(redis_url, prefix)


def forget_prefix(redis_url: str, prefix: str) -> int:
    """Delete every key under ``prefix``; how many. A Redis that is gone has nothing to forget."""
    deleted = 0
    try:
        with redis.Redis.from_url(redis_url, socket_connect_timeout=1, socket_timeout=5) as store:
            batch: list[bytes] = []
            for key in store.scan_iter(match=f"{prefix}:*", count=1000):
                batch.append(key)
                if len(batch) >= _FORGET_BATCH:
                    deleted += int(store.unlink(*batch))
                    batch = []
            if batch:
                deleted += int(store.unlink(*batch))
    except redis.RedisError:
        pass
    return deleted


REQUEST_TIMEOUT_S = 10.0  # one request to a portal under check; nothing it serves takes a second


def client(portal: ServedPortal, user: DatasetUser | None = None) -> httpx.Client:
    """An HTTP client of ``portal``, signed in as ``user`` when given."""
    headers = user.headers if user is not None else {}
    return httpx.Client(base_url=portal.url, timeout=REQUEST_TIMEOUT_S, headers=headers)
