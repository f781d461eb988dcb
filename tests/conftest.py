"""Shared fixtures: real PostgreSQL and Redis, a tiny dataset, a real uvicorn.

Services come from PORTAL_DATABASE_URL / PORTAL_REDIS_URL when set (CI uses the
machine's local servers) and are embedded otherwise. The tests get a database
of their own on that server (``perfproof_test``), loaded once per session.
"""

from __future__ import annotations

import importlib
import itertools
import os
import pkgutil
import signal
import threading
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from types import FrameType, ModuleType
from typing import Any

import httpx
import psycopg
import pytest
import uvicorn
from starlette.applications import Starlette

import portal.queries
from benchmarks.fixtures import stack as stack  # the shared session fixture
from portal import Settings, create_app
from portal.auth.tokens import hash_token, new_token
from portal.datagen import LoadResult, load_dataset
from portal.datagen.tokens_file import read_tokens_file
from portal.devstack import Services, ensure_database
from portal.stop_signals import STOP_SIGNALS
from tests import system_programs
from tests.quick_run import QUICK_RUN_ENV
from tests.quick_run import quick_run as quick_run  # the session's one real bench run

TEST_DATABASE = "perfproof_test"
SLOW_LEFT_OUT = pytest.StashKey[int]()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip what needs a missing system program (before any fixture starts); leave the
    ``slow`` group out unless ``-m`` names it, or the test is named by its id (so
    ``-m embedded`` does not start the slow runs).

    A test that reads the session's real quick run joins the slow group unless
    ``PERFPROOF_QUICK_RUN`` names a finished one: making it is two minutes of a real
    bench, the largest share of the default run's time. CI passes the one its main job
    made, and runs every group."""
    reuse = bool(os.environ.get(QUICK_RUN_ENV))
    for item in items:
        if not reuse and "quick_run" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)
        for marker in item.iter_markers("needs_program"):
            program = system_programs.PROGRAMS[marker.args[0]]
            if program.path() is None:
                item.add_marker(pytest.mark.skip(reason=program.missing_reason()))
    if "slow" in config.option.markexpr:
        return
    named = [arg.split("::", 1)[1] for arg in config.args if "::" in arg]
    slow = [
        item
        for item in items
        if item.get_closest_marker("slow")
        and not any(item.nodeid.split("::", 1)[1].startswith(name) for name in named)
    ]
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = [item for item in items if item not in slow]
    config.stash[SLOW_LEFT_OUT] = len(slow)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    left_out = config.stash.get(SLOW_LEFT_OUT, 0)
    if left_out:
        terminalreporter.write_line(
            f"{left_out} slow tests left out: `nox -s tests -- -m slow` runs them "
            '(`-m "slow or not slow"` runs everything, as CI does)'
        )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport() -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """With PERFPROOF_REQUIRE_SYSTEM_TOOLS=1 (CI), a skip of any kind is a failure."""
    report = yield
    if report.skipped and system_programs.required() and not hasattr(report, "wasxfail"):
        said = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        reason = str(said).removeprefix("Skipped: ")
        report.outcome = "failed"
        report.longrepr = (
            f"skipped, and {system_programs.REQUIRE_ENV}=1 makes every skip a failure: {reason}"
        )
    return report


DEFAULT_HANDLERS: dict[int, Callable[[int, FrameType | None], Any] | int] = {
    signal.SIGINT: signal.default_int_handler,
    signal.SIGTERM: signal.SIG_DFL,
    signal.SIGHUP: signal.SIG_DFL,
}


def pytest_configure() -> None:
    """Python's own stop-signal handlers, whatever this process inherited: a job started in
    the background by a shell without job control (``nox -s tests &`` in a script) comes
    with SIGINT ignored, ``nohup`` with SIGHUP, and the tests that interrupt a run in this
    process would see their signal vanish."""
    for signum, handler in DEFAULT_HANDLERS.items():
        signal.signal(signum, handler)


@pytest.fixture(autouse=True)
def stop_signals_restored() -> Iterator[None]:
    """Every test starts with Python's own handlers of SIGINT, SIGTERM and SIGHUP, and gets
    them back afterwards.

    A command's code run in this process installs its own (stopping, then ignoring:
    ``portal/stop_signals.py``); left behind, the next test that sends itself a
    signal would see it ignored (a run closed in one test made an interrupt in a
    later one vanish), and this process would ignore Ctrl-C.
    """
    found = {signum: signal.getsignal(signum) for signum in STOP_SIGNALS}
    changed = {signal.Signals(n).name: h for n, h in found.items() if h != DEFAULT_HANDLERS[n]}
    for signum, handler in DEFAULT_HANDLERS.items():
        signal.signal(signum, handler)
    assert not changed, f"a fixture or an earlier test left these signal handlers: {changed}"
    try:
        yield
    finally:
        for signum, handler in DEFAULT_HANDLERS.items():
            signal.signal(signum, handler)


def data_access_modules() -> list[ModuleType]:
    """Every module of data-access functions: portal/queries/ and the token store."""
    names = [
        f"portal.queries.{info.name}" for info in pkgutil.iter_modules(portal.queries.__path__)
    ]
    return [importlib.import_module(name) for name in [*names, "portal.auth.store"]]


@pytest.fixture(scope="session")
def database_url(stack: Services) -> str:
    return ensure_database(stack.database_url, TEST_DATABASE)


@pytest.fixture(scope="session")
def dataset(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> LoadResult:
    # force: earlier sessions wrote to this database, so its fingerprint lies.
    tokens = tmp_path_factory.mktemp("dataset") / "tokens.csv"
    return load_dataset(
        database_url, scale="tiny", seed=1, force=True, progress=False, tokens_path=tokens
    )


@pytest.fixture(scope="session")
def dataset_tokens(dataset: LoadResult) -> dict[str, list[tuple[int, str]]]:
    """Tokens of the generated users by role: {"admin": [(user_id, token)], ...}."""
    assert dataset.tokens_path is not None
    by_role: dict[str, list[tuple[int, str]]] = {"admin": [], "buyer": []}
    for user in read_tokens_file(dataset.tokens_path):
        by_role[user.role].append((user.user_id, user.token))
    return by_role


@pytest.fixture(scope="session")
def loaded_database_url(database_url: str, dataset: LoadResult) -> str:
    """The test database once the dataset is in it."""
    assert dataset.rows["users"] > 0
    return database_url


@pytest.fixture(scope="session")
def settings(stack: Services, loaded_database_url: str) -> Settings:
    return Settings(database_url=loaded_database_url, redis_url=stack.redis_url)


class LiveServer:
    """The portal (or any ASGI app) under a real uvicorn in a background thread, on a free port."""

    def __init__(self, target: Settings | Starlette) -> None:
        app = create_app(target) if isinstance(target, Settings) else target
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


@pytest.fixture(scope="session")
def live_server() -> Callable[[Settings], LiveServer]:
    return LiveServer


@pytest.fixture(scope="session")
def base_url(settings: Settings) -> Iterator[str]:
    with LiveServer(settings) as url:
        yield url


@pytest.fixture
def client(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=15) as http:
        yield http


@pytest.fixture(scope="session")
def db(loaded_database_url: str) -> Iterator[psycopg.Connection]:
    """A direct connection for arranging data and checking what the API did."""
    with psycopg.connect(loaded_database_url, autocommit=True) as conn:
        yield conn


@dataclass(frozen=True)
class User:
    id: int
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


_emails = itertools.count()


@pytest.fixture
def make_user(db: psycopg.Connection) -> Callable[..., User]:
    """Create a fresh user (own wallet, empty cart), so tests never share state."""

    def make(role: str = "buyer", balance_cents: int = 0) -> User:
        user_id = db.execute(
            "INSERT INTO users (company_id, email, name, role, created_at)"
            " VALUES (1, %s, 'Test user', %s, now()) RETURNING id",
            (f"test-{time.time_ns()}-{next(_emails)}@example.test", role),
        ).fetchone()[0]  # type: ignore[index]
        db.execute(
            "INSERT INTO wallets (user_id, balance_cents, updated_at) VALUES (%s, %s, now())",
            (user_id, balance_cents),
        )
        if balance_cents:
            db.execute(
                "INSERT INTO wallet_transactions (user_id, amount_cents, kind, created_at)"
                " VALUES (%s, %s, 'top_up', now())",
                (user_id, balance_cents),
            )
        token = new_token()
        db.execute(
            "INSERT INTO api_tokens (token_hash, user_id) VALUES (%s, %s)",
            (hash_token(token), user_id),
        )
        return User(id=user_id, token=token)

    return make


@pytest.fixture
def make_product(db: psycopg.Connection) -> Callable[..., int]:
    def make(price_cents: int = 1_000, stock: int = 100, active: bool = True) -> int:
        product_id: int = db.execute(
            "INSERT INTO products (region_id, category, sku, name, price_cents, stock, active,"
            " updated_at) VALUES (1, 'test', %s, 'Test product', %s, %s, %s, now()) RETURNING id",
            (f"TEST-{time.time_ns()}", price_cents, stock, active),
        ).fetchone()[0]  # type: ignore[index]
        return product_id

    return make


@pytest.fixture
def buyer(make_user: Callable[..., User]) -> User:
    return make_user("buyer", balance_cents=100_000)


@pytest.fixture
def admin(make_user: Callable[..., User]) -> User:
    return make_user("admin")
