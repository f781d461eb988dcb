"""The tokens file, and the ``generate`` / ``token`` commands as a user runs them."""

from __future__ import annotations

import csv
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from perfproof.cli import main
from portal.auth.tokens import hash_token
from portal.datagen import LoadResult, default_tokens_path, write_tokens_file

Rows = Callable[..., list[tuple[Any, ...]]]
UNREACHABLE = "postgresql://postgres@127.0.0.1:1/nothing"


def cli(*argv: str) -> int:
    """The commands as a user runs them: ``perfproof generate ...``, ``perfproof token ...``."""
    return main(argv)


def test_tokens_file_lists_every_user_with_a_working_token(
    tiny: tuple[str, LoadResult], rows: Rows
) -> None:
    url, result = tiny
    assert result.tokens_path is not None
    with result.tokens_path.open(newline="") as handle:
        lines = list(csv.reader(handle))
    assert lines[0] == ["user_id", "role", "token"]
    assert len(lines) == result.rows["users"] + 1
    roles: dict[str, str] = dict(rows(url, "SELECT id::text, role FROM users"))
    assert {user_id: role for user_id, role, _ in lines[1:]} == roles
    for user_id, _, token in (lines[1], lines[-1]):
        owner = rows(
            url, "SELECT user_id FROM api_tokens WHERE token_hash = %s", (hash_token(token),)
        )
        assert owner == [(int(user_id),)]
    assert stat.S_IMODE(result.tokens_path.stat().st_mode) == 0o600


def test_tokens_file_is_replaced_atomically(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "tokens.csv"
    write_tokens_file(path, seed=1, users=[(1, "admin")])
    write_tokens_file(path, seed=1, users=[(1, "admin"), (2, "buyer")])
    assert path.read_text().count("\n") == 3
    assert [p.name for p in path.parent.iterdir()] == ["tokens.csv"]


def test_default_tokens_path_honours_perfproof_home(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PERFPROOF_HOME", str(tmp_path))
    assert default_tokens_path("small", 7) == tmp_path / "tokens-small-7.csv"


@pytest.fixture(scope="module")
def cli_url(make_database: Callable[[str], str], tmp_path_factory: pytest.TempPathFactory) -> str:
    url = make_database("cli")
    tokens = tmp_path_factory.mktemp("cli") / "tokens.csv"
    assert cli("generate", "--scale", "tiny", "--database-url", url, "--tokens", str(tokens),
               "--no-progress") == 0  # fmt: skip
    return url


def test_generate_skips_quietly_when_loaded(
    cli_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tokens = tmp_path / "again.csv"
    code = cli("generate", "--scale", "tiny", "--database-url", cli_url, "--tokens", str(tokens))
    assert code == 0
    out, err = capsys.readouterr()
    assert out == ""
    which, summary = err.splitlines()
    assert which.startswith("PostgreSQL: configured")
    assert summary.startswith("skipped tiny (seed 1): already loaded")
    assert tokens.exists()


def test_token_for_a_role_prints_only_the_token(
    cli_url: str, rows: Rows, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli("token", "--role", "admin", "--database-url", cli_url) == 0
    token = capsys.readouterr().out
    assert token.endswith("\n") and token.count("\n") == 1
    owner = rows(cli_url, "SELECT user_id FROM api_tokens WHERE token_hash = %s",
                 (hash_token(token.strip()),))  # fmt: skip
    assert owner == [(1,)]


def test_token_for_a_user_id(cli_url: str, rows: Rows, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli("token", "--user-id", "5", "--database-url", cli_url) == 0
    token = capsys.readouterr().out.strip()
    owner = rows(
        cli_url, "SELECT user_id FROM api_tokens WHERE token_hash = %s", (hash_token(token),)
    )
    assert owner == [(5,)]


def test_token_for_an_unknown_user_is_one_line(
    cli_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli("token", "--user-id", "999999", "--database-url", cli_url) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == "error: no user with id 999999\n"


@pytest.mark.parametrize(
    "argv",
    [
        ("generate", "--database-url", UNREACHABLE),
        ("token", "--role", "buyer", "--database-url", UNREACHABLE),
    ],
)
def test_unreachable_database_is_one_line(
    argv: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(*argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("error: PostgreSQL at 127.0.0.1:1") and err.count("\n") == 1
    assert "unreachable" in err


def test_database_url_from_the_environment(
    cli_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PORTAL_DATABASE_URL", cli_url)
    assert cli("token", "--role", "buyer") == 0
    assert capsys.readouterr().out.startswith("pp_")


def test_a_schema_less_database_is_one_line(
    make_database: Callable[[str], str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli("token", "--role", "admin", "--database-url", make_database("bare")) == 2
    err = capsys.readouterr().err
    assert err.startswith('error: database error: relation "users" does not exist')
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    "argv",
    [
        ("generate", "--scale", "huge"),
        ("generate", "--seed", "-3"),
        ("generate", "--seed", "abc"),
        ("token",),
        ("token", "--role", "owner"),
    ],
)
def test_bad_arguments_exit_through_argparse(
    argv: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        cli(*argv)
    assert exited.value.code == 2
    assert "Traceback" not in capsys.readouterr().err
