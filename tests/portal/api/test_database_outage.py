"""When PostgreSQL is unreachable the portal answers 503 fast, then recovers.

The outage is real: the portal connects through a TCP relay that this test
closes (cutting every open connection) and reopens on the same port.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

from portal import Settings
from tests.conftest import LiveServer, User


class Relay:
    """Forwards 127.0.0.1:<port> to the database; close() is the outage."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = 0
        self._listener: socket.socket | None = None
        self._sockets: list[socket.socket] = []
        self._flowing = threading.Event()
        self._flowing.set()

    def freeze(self) -> None:
        """The hung database: connections stay open, bytes are taken, nothing comes back."""
        self._flowing.clear()

    def thaw(self) -> None:
        self._flowing.set()

    def open(self) -> None:
        # create_server sets SO_REUSEADDR, so the same port can be reopened.
        listener = socket.create_server(("127.0.0.1", self.port))
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self._sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                self._flowing.wait()
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        assert self._listener is not None
        # shutdown() wakes the thread blocked in accept(); close() alone would
        # leave the socket listening until that accept() returned.
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        for s in self._sockets:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()
        self._sockets.clear()


@pytest.fixture
def relay(settings: Settings) -> Iterator[Relay]:
    parts = urlsplit(settings.database_url)
    relay = Relay((parts.hostname or "127.0.0.1", parts.port or 5432))
    relay.open()
    yield relay
    relay.close()


def through(settings: Settings, relay: Relay) -> Settings:
    parts = urlsplit(settings.database_url)
    netloc = f"{parts.username or 'postgres'}@127.0.0.1:{relay.port}"
    url = urlunsplit((parts.scheme, netloc, parts.path, "", ""))
    return settings.model_copy(update={"database_url": url, "token_cache_seconds": 0})


def test_outage_gives_fast_503s_then_the_portal_recovers_by_itself(
    settings: Settings, relay: Relay, buyer: User, live_server: Callable[[Settings], LiveServer]
) -> None:
    with (
        live_server(through(settings, relay)) as url,
        httpx.Client(base_url=url, timeout=30) as http,
    ):
        assert http.get("/api/products", headers=buyer.headers).status_code == 200

        relay.close()
        for _ in range(3):
            started = time.monotonic()
            response = http.get("/api/products", headers=buyer.headers)
            assert response.status_code == 503
            assert "database is unavailable" in response.json()["detail"]
            assert time.monotonic() - started < 5  # pool and connect timeouts, no hang
        health = http.get("/healthz")
        assert health.status_code == 503 and health.json()["database"] == "down"

        relay.open()  # same port: the database is "back"
        statuses = []
        for _ in range(3):
            statuses.append(http.get("/api/products", headers=buyer.headers).status_code)
        assert statuses[-1] == 200, statuses
        assert http.get("/healthz").json()["database"] == "up"


def test_a_frozen_database_gives_503s_within_the_deadline_and_healthz_within_a_second(
    settings: Settings, relay: Relay, buyer: User, live_server: Callable[[Settings], LiveServer]
) -> None:
    """PostgreSQL stopped, not gone: statement_timeout cannot fire, so the portal's own
    clock must (an uncached request once still waited after 40 s, healthz took 12 s)."""
    deadline_s = 2.0
    frozen = through(settings, relay).model_copy(
        update={"request_timeout_s": deadline_s, "cache": "off"}
    )
    with live_server(frozen) as url, httpx.Client(base_url=url, timeout=60) as http:
        assert http.get("/api/wallet", headers=buyer.headers).status_code == 200
        relay.freeze()
        try:
            for path in ("/api/wallet", "/api/orders", "/api/cart"):
                started = time.monotonic()
                response = http.get(path, headers=buyer.headers)
                took = time.monotonic() - started
                assert response.status_code == 503, (path, response.text)
                assert response.headers["retry-after"] == "1"
                assert took < deadline_s + 1.5, (path, took)
            started = time.monotonic()
            health = http.get("/healthz")
            assert health.status_code == 503 and health.json()["database"] == "down"
            assert time.monotonic() - started < 2.0
        finally:
            relay.thaw()
        recovered = time.monotonic() + 30
        while http.get("/api/wallet", headers=buyer.headers).status_code != 200:
            assert time.monotonic() < recovered, "the portal did not recover by itself"
            time.sleep(0.5)


def test_with_the_cache_on_each_request_has_one_deadline_for_every_wait(
    settings: Settings,
    relay: Relay,
    buyer: User,
    make_user: Callable[..., User],
    live_server: Callable[[Settings], LiveServer],
) -> None:
    """The cache layer waits before the app runs: it authenticates a token it has not seen,
    and it waits for a computation another request has in flight. Outside the deadline,
    `perfproof faults` saw a 200 after 9.9 s and a 503 after 6 s with PostgreSQL frozen for
    10 s (a request that waited on another's 503, then had a whole deadline of its own)."""
    deadline_s = 2.0
    frozen = through(settings, relay).model_copy(
        update={"request_timeout_s": deadline_s, "token_cache_seconds": 60.0}
    )
    newcomer = make_user("buyer")  # its token is not in the portal's token cache
    with live_server(frozen) as url:
        with httpx.Client(base_url=url, timeout=60) as http:
            assert http.get("/api/wallet", headers=buyer.headers).status_code == 200
        relay.freeze()
        try:

            def timed(user: User, path: str) -> tuple[int, float]:
                with httpx.Client(base_url=url, timeout=60) as http:
                    started = time.monotonic()
                    status = http.get(path, headers=user.headers).status_code
                    return status, time.monotonic() - started

            same_uncached = "/api/products?category=deadline-test&limit=3"
            calls = [(buyer, same_uncached)] * 4 + [(newcomer, "/api/wallet")]
            with ThreadPoolExecutor(len(calls)) as pool:
                answers = list(pool.map(lambda call: timed(*call), calls))
        finally:
            relay.thaw()
    for (_, path), (status, took) in zip(calls, answers, strict=True):
        assert status == 503, (path, status)
        assert took < deadline_s + 1.0, (path, took)
