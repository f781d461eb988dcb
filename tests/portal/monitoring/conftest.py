"""A monitored portal of the tests' own, with one extra route that is slow on purpose.

Its own app (not the session's ``base_url`` server): the tests read counters
that other test modules would otherwise move, and they need a route that runs
``pg_sleep`` as a named operation.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import Depends, FastAPI
from sqlalchemy import text

from portal import Settings, create_app
from portal.api.deps import State, current_principal
from portal.monitoring import operation_scope
from tests.conftest import LiveServer

SLEEP_OPERATION = "tests.pg_sleep"
_SLEEP = text("SELECT pg_sleep(:seconds)")


def add_sleep_route(app: FastAPI) -> None:
    """``GET /test/sleep?seconds=`` runs ``SELECT pg_sleep(...)`` as ``tests.pg_sleep``."""

    async def sleep(state: State, seconds: float) -> dict[str, Any]:
        with operation_scope(SLEEP_OPERATION):
            async with state.engine.connect() as conn:
                await conn.execute(_SLEEP, {"seconds": seconds})
        return {"slept_s": seconds}

    # Signed-in callers only, so the slow-query log names the user.
    app.add_api_route(
        "/test/sleep", sleep, methods=["GET"], dependencies=[Depends(current_principal)]
    )


@pytest.fixture(scope="module")
def monitored_app(settings: Settings) -> FastAPI:
    app = create_app(settings.model_copy(update={"monitoring": "on", "slow_query_ms": 100.0}))
    add_sleep_route(app)
    return app


@pytest.fixture(scope="module")
def monitored_url(monitored_app: FastAPI) -> Iterator[str]:
    with LiveServer(monitored_app) as url:
        yield url


@pytest.fixture
def monitored(monitored_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=monitored_url, timeout=15) as http:
        yield http
