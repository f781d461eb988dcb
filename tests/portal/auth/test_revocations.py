"""A token revoked through one portal process stops working in the others at once.

Each process caches token lookups; these tests run two portals (two apps with
their own caches, like two uvicorn workers) on the same PostgreSQL and Redis,
and give the cache a long life, so only the Redis announcement can explain a
token that stops working in the other process.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from functools import partial
from pathlib import Path

import httpx
import psycopg
import pytest
from fastapi import FastAPI

from portal import Settings, create_app
from portal.devstack import EmbeddedRedis, free_port
from tests.conftest import LiveServer, User

LONG_CACHE = {"token_cache_seconds": 600.0, "cache": "off", "monitoring": "off"}


def listening(app: FastAPI) -> bool:
    revocations = app.state.portal.revocations
    return revocations is not None and revocations.listening.is_set()


def wait_for(condition: Callable[[], bool], seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def me(url: str, user: User) -> int:
    return httpx.get(f"{url}/api/users/me", headers=user.headers, timeout=15).status_code


@pytest.fixture
def two_portals(settings: Settings) -> Iterator[tuple[tuple[str, FastAPI], ...]]:
    apps = [create_app(settings.model_copy(update=LONG_CACHE)) for _ in range(2)]
    with ExitStack() as stack:
        portals = tuple((stack.enter_context(LiveServer(app)), app) for app in apps)
        assert all(wait_for(partial(listening, app)) for app in apps)
        yield portals


def test_a_token_revoked_in_one_process_is_refused_by_the_other_at_once(
    two_portals: tuple[tuple[str, FastAPI], ...],
    make_user: Callable[..., User],
    db: psycopg.Connection,
) -> None:
    (first, _), (second, _) = two_portals
    revoked, control = make_user(), make_user()
    for user in (revoked, control):
        assert me(first, user) == 200 and me(second, user) == 200  # both cached everywhere
    # The control, revoked behind the portals' backs, is still served from the
    # cache: the second process does not ask the database again by itself.
    db.execute("UPDATE api_tokens SET revoked_at = now() WHERE user_id = %s", (control.id,))
    assert httpx.post(f"{first}/api/auth/revoke", headers=revoked.headers).status_code == 204
    assert me(first, revoked) == 401
    assert wait_for(lambda: me(second, revoked) == 401, seconds=2.0)
    assert me(second, control) == 200


def test_without_redis_a_revocation_still_holds_where_it_was_made(
    settings: Settings, make_user: Callable[..., User]
) -> None:
    nowhere = f"redis://127.0.0.1:{free_port()}/0"
    app = create_app(settings.model_copy(update={**LONG_CACHE, "redis_url": nowhere}))
    user = make_user()
    with LiveServer(app) as url:
        assert me(url, user) == 200
        assert httpx.post(f"{url}/api/auth/revoke", headers=user.headers).status_code == 204
        assert me(url, user) == 401
        assert not listening(app)


def test_after_losing_redis_a_process_forgets_every_cached_token(
    settings: Settings, make_user: Callable[..., User], db: psycopg.Connection, tmp_path: Path
) -> None:
    # Announcements made while it was cut off are lost, so it must not trust
    # anything it cached before: a token revoked meanwhile is refused.
    with EmbeddedRedis(tmp_path / "redis") as redis_server:
        app = create_app(settings.model_copy(update={**LONG_CACHE, "redis_url": redis_server.url}))
        user = make_user()
        with LiveServer(app) as url:
            assert wait_for(lambda: listening(app))
            assert me(url, user) == 200
            redis_server.stop()
            assert wait_for(lambda: not listening(app))
            db.execute("UPDATE api_tokens SET revoked_at = now() WHERE user_id = %s", (user.id,))
            assert me(url, user) == 200  # still cached while Redis is away
            redis_server.restart()
            assert wait_for(lambda: listening(app))
            assert me(url, user) == 401
