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

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
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
