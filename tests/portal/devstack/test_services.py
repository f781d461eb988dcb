"""portal.devstack: configured URLs win, bad ones fail in one sentence, else embedded servers."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psutil
import psycopg
import pytest
import redis

from portal.cli.services import build_parser, run
from portal.devstack import (
    EmbeddedRedis,
    Services,
    ServiceUnavailable,
    ensure_database,
    services,
    stop_embedded,
)
from portal.devstack._common import read_int, redact, wait_gone
from portal.devstack._owners import read_record, record_path

UNREACHABLE_DATABASE = "postgresql://postgres@127.0.0.1:1/test"
UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


def _gone(pid: int | None) -> bool:
    if pid is None:
        return True
    try:
        return bool(psutil.Process(pid).status() == psutil.STATUS_ZOMBIE)
    except psutil.NoSuchProcess:
        return True


def _ping(url: str) -> bool:
    with redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1) as client:
        try:
            return bool(client.ping())
        except redis.ConnectionError:
            return False


def _cli(argv: list[str]) -> argparse.Namespace:
    assert argv[0] == "services"
    return build_parser("perfproof services").parse_args(argv[1:])


@pytest.fixture
def home(tmp_path: Path) -> Iterator[Path]:
    """A fresh data folder; whatever a failing test left running there is stopped."""
    folder = tmp_path / "home"
    yield folder
    stop_embedded(folder)


def test_configured_urls_are_used_as_they_are(
    stack: Services, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The session's servers (the machine's, or embedded ones in another home) given as
    URLs: used as they are, and nothing is embedded in this home."""
    database, cache = stack.database_url, stack.redis_url
    monkeypatch.setenv("PORTAL_DATABASE_URL", database)
    monkeypatch.setenv("PORTAL_REDIS_URL", cache)
    with services(home=home) as svc:
        assert (svc.database_url, svc.redis_url) == (database, cache)
        assert not svc.embedded_postgres and not svc.embedded_redis
        assert svc.postgres_description.startswith("PostgreSQL: configured PORTAL_DATABASE_URL")
        assert svc.redis_description.startswith("Redis: configured PORTAL_REDIS_URL")
        assert svc.env() == {"PORTAL_DATABASE_URL": database, "PORTAL_REDIS_URL": cache}
        with psycopg.connect(svc.database_url) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
        assert _ping(svc.redis_url)
    assert not (home / "pgdata").exists(), "nothing embedded may start when URLs are configured"


def test_arguments_override_environment(stack: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTAL_DATABASE_URL", UNREACHABLE_DATABASE)
    monkeypatch.setenv("PORTAL_REDIS_URL", UNREACHABLE_REDIS)
    with services(database_url=stack.database_url, redis_url=stack.redis_url) as svc:
        assert svc.database_url == stack.database_url
        assert svc.postgres_description.startswith("PostgreSQL: configured --database-url")


def test_unreachable_database_fails_in_one_sentence(stack: Services, home: Path) -> None:
    env = {"PORTAL_DATABASE_URL": UNREACHABLE_DATABASE, "PORTAL_REDIS_URL": stack.redis_url}
    with pytest.raises(ServiceUnavailable) as raised, services(home=home, env=env):
        pass
    message = str(raised.value)
    assert message == (
        "PostgreSQL at 127.0.0.1:1 (PORTAL_DATABASE_URL) is unreachable: connection refused."
    )


def test_unreachable_redis_fails_before_anything_is_embedded(home: Path) -> None:
    env = {"PORTAL_REDIS_URL": UNREACHABLE_REDIS}
    with pytest.raises(ServiceUnavailable) as raised, services(home=home, env=env):
        pass
    assert str(raised.value) == (
        "Redis at 127.0.0.1:1 (PORTAL_REDIS_URL) is unreachable: connection refused."
    )
    assert not (home / "pgdata").exists()


def test_cli_prints_one_line_and_exits_2(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PORTAL_DATABASE_URL", UNREACHABLE_DATABASE)
    monkeypatch.setenv("PORTAL_REDIS_URL", UNREACHABLE_REDIS)
    args = _cli(["services", "--home", str(home)])
    assert run(args) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert "PORTAL_DATABASE_URL" in captured.err and "Traceback" not in captured.err


def test_passwords_are_hidden() -> None:
    assert redact("postgresql://app:s3cret@db:5432/x") == "postgresql://app:***@db:5432/x"
    assert (
        redact("postgresql://app@db/x?password=s3cret")
        == "postgresql://app@db/x?password=%2A%2A%2A"
    )
    assert redact("redis://:s3cret@cache:6379/0") == "redis://:***@cache:6379/0"


@pytest.mark.embedded
def test_embedded_servers_start_once_are_reused_and_keep_data(home: Path) -> None:
    with services(home=home, env={}) as svc:
        assert svc.embedded_postgres and svc.embedded_redis
        assert "started here" in svc.postgres_description
        with psycopg.connect(svc.database_url, autocommit=True) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
            assert conn.execute("SHOW shared_preload_libraries").fetchone() == (
                "pg_stat_statements",
            )
            conn.execute("CREATE TABLE kept (id int)")
            conn.execute("INSERT INTO kept VALUES (42)")
        assert _ping(svc.redis_url)
        postgres_pid = read_int(home / "pgdata" / "postmaster.pid")
        redis_pid = read_int(home / "redis.pid")

        with services(home=home, env={}) as inner:
            assert (inner.database_url, inner.redis_url) == (svc.database_url, svc.redis_url)
            assert "already running" in inner.postgres_description
            assert "already running" in inner.redis_description
        assert not _gone(postgres_pid) and not _gone(redis_pid), "the inner exit stopped them"
        with psycopg.connect(svc.database_url) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
        assert _ping(svc.redis_url)

    assert _gone(postgres_pid) and _gone(redis_pid)

    with services(home=home, env={}) as again:
        assert again.database_url == svc.database_url, "the remembered port is reused"
        with psycopg.connect(again.database_url) as conn:
            assert conn.execute("SELECT id FROM kept").fetchall() == [(42,)]
        other = ensure_database(again.database_url, "scratch")
        assert other == again.database_url_for("scratch")
        with psycopg.connect(other) as conn:
            assert conn.execute("SELECT current_database()").fetchone() == ("scratch",)


@pytest.mark.embedded
def test_embedded_redis_stops_and_restarts_on_its_port(tmp_path: Path) -> None:
    with EmbeddedRedis(tmp_path / "redis-home") as server:
        url, port = server.url, server.port
        assert _ping(url)
        server.stop()
        assert not _ping(url)
        server.start()
        assert server.port == port and _ping(url)
        server.restart()
        assert server.port == port and _ping(url)
    assert not _ping(url)


@pytest.mark.embedded
@pytest.mark.embedded
def test_cli_detach_leaves_servers_running_until_stop(
    home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Nothing configured, as on a fresh machine (CI sets both URLs).
    monkeypatch.delenv("PORTAL_DATABASE_URL", raising=False)
    monkeypatch.delenv("PORTAL_REDIS_URL", raising=False)
    args = _cli(["services", "--home", str(home), "--detach"])
    assert run(args) == 0
    out = capsys.readouterr().out
    assert "export PORTAL_DATABASE_URL=" in out and "export PORTAL_REDIS_URL=" in out
    redis_url = next(line for line in out.splitlines() if "PORTAL_REDIS_URL=" in line)
    assert _ping(redis_url.split("=", 1)[1])

    # Left running on purpose: no later command takes them for a killed command's.
    for stem in ("postgres", "redis"):
        record = read_record(record_path(stem, home.resolve()))
        assert record is not None and record.owner is None

    assert run(_cli(["services", "--home", str(home), "--stop"])) == 0
    assert "Stopped PostgreSQL" in capsys.readouterr().out
    assert _gone(read_int(home / "pgdata" / "postmaster.pid"))
    assert not _ping(redis_url.split("=", 1)[1])


def test_an_unusable_home_is_one_sentence(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("")
    env = {"PORTAL_DATABASE_URL": "", "PORTAL_REDIS_URL": ""}
    with (
        pytest.raises(ServiceUnavailable, match="cannot keep the embedded servers in"),
        services(home=not_a_folder / "home", env=env),
    ):
        pass


def test_root_without_useradd_is_one_sentence(monkeypatch: pytest.MonkeyPatch) -> None:
    """As root the embedded PostgreSQL runs as a user of its own, made with ``useradd``
    (/usr/sbin): a PATH without it once ended a bench in a traceback."""
    from portal.devstack import _pgproc

    def no_useradd(_name: str) -> None:
        raise FileNotFoundError(2, "No such file or directory", "useradd")

    monkeypatch.setattr(_pgproc, "running_as_root", lambda: True)
    monkeypatch.setattr(_pgproc._embedded()[1], "ensure_user_exists", no_useradd)
    _pgproc.server_ids.cache_clear()
    try:
        with pytest.raises(ServiceUnavailable, match=r"needs a system user .*/usr/sbin on PATH"):
            _pgproc.server_ids()
    finally:
        _pgproc.server_ids.cache_clear()


PERFPROOF = [sys.executable, "-m", "perfproof"]


@pytest.mark.embedded
def test_servers_a_killed_command_left_running_are_stopped_by_the_next_command(
    home: Path, tmp_path: Path
) -> None:
    """SIGKILL runs no clean-up: the servers' owner record is what finds them afterwards."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env["PERFPROOF_HOME"] = str(home)
    with subprocess.Popen(
        [*PERFPROOF, "services"], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        text=True, start_new_session=True,
    ) as owner:  # fmt: skip
        try:
            assert owner.stdout is not None
            for line in owner.stdout:
                if line.startswith("Running; press Ctrl-C to stop."):
                    break
            postgres = read_int(home / "pgdata" / "postmaster.pid")
            redis_pid = read_int(home / "redis.pid")
        finally:
            owner.kill()
    assert not _gone(postgres) and not _gone(redis_pid), "the killed command stopped nothing"
    done = subprocess.run(
        [*PERFPROOF, "report", "--run", str(tmp_path / "nowhere")],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    said = [line for line in done.stderr.splitlines() if "left it running and is gone" in line]
    assert len(said) == 2, done.stderr
    for line, product in zip(sorted(said), ("PostgreSQL", "Redis"), strict=True):
        assert line.startswith(f"perfproof report: stopped the embedded {product} at "), line
        assert f"(pid {owner.pid})" in line and "services" in line
    assert _gone(postgres) and wait_gone(redis_pid or 0, 60)
    assert list((home / "servers").glob("*.json")) == []


@pytest.mark.embedded
def test_a_server_whose_owner_was_killed_is_adopted_by_the_next_that_uses_it(home: Path) -> None:
    """Taken over, not only reused: it is stopped when its new owner ends."""
    launch = (
        "import sys, time; from pathlib import Path; from portal.devstack import EmbeddedRedis; "
        "EmbeddedRedis(Path(sys.argv[1])).start(); print('up', flush=True); time.sleep(60)"
    )
    with subprocess.Popen(
        [sys.executable, "-c", launch, str(home)], stdout=subprocess.PIPE, text=True
    ) as owner:
        try:
            assert owner.stdout is not None and owner.stdout.readline() == "up\n"
        finally:
            owner.kill()
    with EmbeddedRedis(home) as again:
        assert again.adopted_from is not None and again.adopted_from.pid == owner.pid
        assert "adopted: `python" in again.describe()
        server = again.pid()
        assert not _gone(server)
    assert wait_gone(server or 0, 60)
    assert read_record(record_path("redis", home.resolve())) is None
