"""A monitored portal of the tests' own, with one extra route that is slow on purpose.

Its own app (not the session's ``base_url`` server): the tests read counters
that other test modules would otherwise move, and they need a route that runs
``pg_sleep`` as a named operation.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from sqlalchemy import text

from portal import Settings, create_app
from portal.api.deps import CurrentUser, State
from portal.monitoring import operation_scope

SLEEP_OPERATION = "tests.pg_sleep"
_SLEEP = text("SELECT pg_sleep(:seconds)")


def add_sleep_route(app: FastAPI) -> None:
    """``GET /test/sleep?seconds=`` runs ``SELECT pg_sleep(...)`` as ``tests.pg_sleep``."""

    async def sleep(state: State, user: CurrentUser, seconds: float) -> dict[str, Any]:
        with operation_scope(SLEEP_OPERATION):
            async with state.engine.connect() as conn:
                await conn.execute(_SLEEP, {"seconds": seconds})
        return {"slept_s": seconds}

    app.add_api_route("/test/sleep", sleep, methods=["GET"])


class AppServer:
    """``app`` under a real uvicorn in a background thread (like tests.conftest.LiveServer)."""

    def __init__(self, app: FastAPI) -> None:
        config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def __enter__(self) -> str:
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)
        port = self._server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def __exit__(self, *exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=20)


@pytest.fixture(scope="module")
def monitored_app(settings: Settings) -> FastAPI:
    app = create_app(settings.model_copy(update={"monitoring": "on", "slow_query_ms": 100.0}))
    add_sleep_route(app)
    return app


@pytest.fixture(scope="module")
def monitored_url(monitored_app: FastAPI) -> Iterator[str]:
    with AppServer(monitored_app) as url:
        yield url


@pytest.fixture
def monitored(monitored_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=monitored_url, timeout=15) as http:
        yield http
