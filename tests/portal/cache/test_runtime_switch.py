"""PORTAL_CACHE_SWITCH=on: one served portal turns cached reads on and off in every worker.

The portal here is a real uvicorn with two workers (``serving``), so a switch
must cross processes through Redis; each read is made on a fresh connection
that first asks ``GET /api/performance/cache/mode`` which worker holds it, so
the tests know that both workers answered, and what each answered.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from typing import TypedDict

import httpx
import pytest
import redis
import schemathesis

from benchmarks.servers import serving
from portal import Settings
from portal.cache import SwitchKeys
from portal.devstack import EmbeddedRedis
from tests.conftest import LiveServer, User
from tests.portal.cache.conftest import own_settings

WORKERS = 2
MODE = "/api/performance/cache/mode"
EACH_WORKER_TIMEOUT_S = 10.0
REQUEST_TIMEOUT_S = 2.0


@pytest.fixture(scope="module")
def switch_settings(settings: Settings, own_redis: EmbeddedRedis) -> Settings:
    return own_settings(settings, own_redis, cache_switch=True)


@pytest.fixture(scope="module")
def two_workers(
    switch_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    env = {
        **os.environ,
        "PORTAL_DATABASE_URL": switch_settings.database_url,
        "PORTAL_REDIS_URL": switch_settings.redis_url,
        "PORTAL_CACHE": "on",
        "PORTAL_CACHE_SWITCH": "on",
        "PORTAL_CACHE_PREFIX": switch_settings.cache_prefix,
        # The switch waits for confirmations within the request's deadline: a short
        # one keeps the test of a worker that never confirms short.
        "PORTAL_REQUEST_TIMEOUT_S": str(REQUEST_TIMEOUT_S),
    }
    log = tmp_path_factory.mktemp("switch") / "serve.log"
    with serving(env, workers=WORKERS, log=log) as portal:
        yield portal.url


class Switched(TypedDict):
    mode: str
    generation: int
    confirmed: list[int]


def switch(url: str, admin: User, mode: str) -> Switched:
    """Switch the cache; the answer, once both workers confirmed."""
    body = {"mode": mode, "workers": WORKERS}
    response = httpx.post(url + MODE, headers=admin.headers, json=body, timeout=15)
    assert response.status_code == 200, response.text
    answer: Switched = response.json()
    return answer


def from_each_worker(
    url: str, admin: User, read: Callable[[httpx.Client], httpx.Response], *, times: int = 3
) -> dict[int, list[tuple[dict[str, object], httpx.Response]]]:
    """``read`` on fresh connections until every worker has answered it ``times`` times:
    {pid: [(that worker's mode, the response), ...]}."""
    answers: dict[int, list[tuple[dict[str, object], httpx.Response]]] = {}
    deadline = time.monotonic() + EACH_WORKER_TIMEOUT_S
    while len(answers) < WORKERS or min(len(said) for said in answers.values()) < times:
        assert time.monotonic() < deadline, f"only workers {sorted(answers)} answered"
        # One connection, so the mode and the read come from the same worker.
        with httpx.Client(base_url=url, timeout=15) as client:
            mode = client.get(MODE, headers=admin.headers).json()
            answers.setdefault(mode["pid"], []).append((mode, read(client)))
    return answers


def test_switching_off_and_on_is_confirmed_by_every_worker(
    two_workers: str, admin: User, buyer: User, make_product: Callable[..., int]
) -> None:
    switch(two_workers, admin, "on")
    untouched = f"/api/products/{make_product()}"
    with httpx.Client(base_url=two_workers, timeout=15, headers=buyer.headers) as client:
        assert [client.get(untouched).headers["x-cache"] for _ in range(2)] == ["MISS", "HIT"]
    off = switch(two_workers, admin, "off")
    assert off["mode"] == "off" and len(set(off["confirmed"])) == WORKERS
    product = f"/api/products/{make_product()}"

    def product_page(client: httpx.Client) -> httpx.Response:
        return client.get(product, headers=buyer.headers)

    for pid, said in from_each_worker(two_workers, admin, product_page).items():
        assert pid in off["confirmed"]
        for mode, response in said:
            assert (mode["mode"], mode["generation"]) == ("off", off["generation"])
            assert response.status_code == 200 and "x-cache" not in response.headers

    on = switch(two_workers, admin, "on")
    assert on["mode"] == "on" and on["generation"] == off["generation"] + 1
    assert sorted(on["confirmed"]) == sorted(off["confirmed"])
    with httpx.Client(base_url=two_workers, timeout=15) as client:
        assert product_page(client).headers["x-cache"] == "MISS"
        # Switching invalidates nothing: what was stored before is served again.
        assert client.get(untouched, headers=buyer.headers).headers["x-cache"] == "HIT"
    for said in from_each_worker(two_workers, admin, product_page).values():
        for mode, response in said:
            assert (mode["mode"], mode["generation"]) == ("on", on["generation"])
            assert response.headers["x-cache"] == "HIT"


def test_a_write_while_the_cache_is_off_is_never_read_stale_once_it_is_on(
    two_workers: str, admin: User, buyer: User, make_product: Callable[..., int]
) -> None:
    switch(two_workers, admin, "on")
    product = f"/api/products/{make_product(price_cents=1_000)}"
    with httpx.Client(base_url=two_workers, timeout=15, headers=buyer.headers) as client:
        assert client.get(product).headers["x-cache"] == "MISS"
        cached = client.get(product)
        assert cached.headers["x-cache"] == "HIT" and cached.json()["price_cents"] == 1_000

    switch(two_workers, admin, "off")
    changed = httpx.patch(
        two_workers + product, headers=admin.headers, json={"price_cents": 2_500}, timeout=15
    )
    assert changed.status_code == 200, changed.text
    switch(two_workers, admin, "on")

    def product_page(client: httpx.Client) -> httpx.Response:
        return client.get(product, headers=buyer.headers)

    for said in from_each_worker(two_workers, admin, product_page).values():
        for _, response in said:
            assert response.json()["price_cents"] == 2_500, response.headers.get("x-cache")


def test_a_worker_started_after_a_switch_takes_the_current_mode(
    two_workers: str,
    admin: User,
    switch_settings: Settings,
    live_server: Callable[[Settings], LiveServer],
) -> None:
    off = switch(two_workers, admin, "off")
    try:
        # A third worker on the same Redis and prefix, started now: it learns
        # the mode from the record, since the workers that confirmed it run.
        with live_server(switch_settings) as url:
            late = httpx.get(url + MODE, headers=admin.headers, timeout=15).json()
        assert (late["mode"], late["generation"]) == ("off", off["generation"])
    finally:
        switch(two_workers, admin, "on")


def test_a_record_left_by_an_earlier_run_is_ignored(
    settings: Settings,
    own_redis: EmbeddedRedis,
    redis_client: redis.Redis,
    live_server: Callable[[Settings], LiveServer],
    admin: User,
) -> None:
    earlier = own_settings(settings, own_redis, cache_switch=True)
    keys = SwitchKeys(earlier.cache_prefix)
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, check=True)  # fmt: skip
    redis_client.set(keys.current, "7 off")
    redis_client.sadd(keys.confirmed(7), int(gone.stdout))
    with live_server(earlier) as url:
        fresh = httpx.get(url + MODE, headers=admin.headers, timeout=15).json()
    assert (fresh["mode"], fresh["generation"]) == ("on", 7)


def test_a_switch_not_every_worker_confirms_in_time_is_a_504_saying_how_many_did(
    two_workers: str, admin: User
) -> None:
    body = {"mode": "on", "workers": WORKERS + 1}
    started = time.monotonic()
    late = httpx.post(two_workers + MODE, headers=admin.headers, json=body, timeout=15)
    assert late.status_code == 504
    assert late.json()["detail"].startswith(f"Only {WORKERS} of {WORKERS + 1} workers confirmed")
    assert time.monotonic() - started < REQUEST_TIMEOUT_S + 1  # within the request's deadline


def test_switching_needs_an_admin(two_workers: str, buyer: User) -> None:
    body = {"mode": "off", "workers": WORKERS}
    assert httpx.post(two_workers + MODE, json=body).status_code == 401
    assert httpx.post(two_workers + MODE, headers=buyer.headers, json=body).status_code == 403
    assert httpx.get(two_workers + MODE, headers=buyer.headers).status_code == 403


def test_a_bad_body_is_refused_field_by_field(two_workers: str, admin: User) -> None:
    body = {"mode": "maybe", "workers": 0}
    refused = httpx.post(two_workers + MODE, headers=admin.headers, json=body)
    assert refused.status_code == 422
    fields = {error["field"]: error["message"] for error in refused.json()["errors"]}
    assert set(fields) == {"mode", "workers"}
    assert "'on' or 'off'" in fields["mode"] and "greater than or equal to 1" in fields["workers"]


def test_switching_is_refused_unless_the_setting_enables_it(
    http: httpx.Client, admin: User
) -> None:
    refused = http.post(MODE, headers=admin.headers, json={"mode": "off", "workers": 1})
    assert refused.status_code == 409
    assert "PORTAL_CACHE_SWITCH=on" in refused.json()["detail"]
    mode = http.get(MODE, headers=admin.headers).json()
    assert (mode["cache"], mode["switch"], mode["mode"], mode["generation"]) == (
        "on",
        "off",
        "on",
        0,
    )


def test_switching_is_refused_with_the_cache_off(
    settings: Settings,
    own_redis: EmbeddedRedis,
    live_server: Callable[[Settings], LiveServer],
    admin: User,
) -> None:
    off = own_settings(settings, own_redis, cache="off", cache_switch=True)
    with live_server(off) as url:
        body = {"mode": "on", "workers": 1}
        refused = httpx.post(url + MODE, headers=admin.headers, json=body, timeout=15)
    assert refused.status_code == 409 and "PORTAL_CACHE=off" in refused.json()["detail"]


def test_the_answers_are_what_the_published_schema_says(two_workers: str, admin: User) -> None:
    schema = schemathesis.openapi.from_url(two_workers + "/openapi.json")
    body = {"mode": "on", "workers": WORKERS}
    switched = httpx.post(two_workers + MODE, headers=admin.headers, json=body, timeout=15)
    current = httpx.get(two_workers + MODE, headers=admin.headers)
    for response in (switched, current):
        assert response.status_code == 200, response.text
        operation = schema.find_operation_by_path(response.request.method, MODE)
        assert operation is not None
        operation.validate_response(response)  # raises, naming the violation
