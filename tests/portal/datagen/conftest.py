"""Databases for the data generator tests: created on the test server, dropped after.

The server is the session's (tests/conftest.py ``stack``): configured or embedded.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql

from portal.datagen import LoadResult, load_dataset
from portal.devstack import Services


def database_url(server_url: str, name: str) -> str:
    parts = urlsplit(server_url)
    return urlunsplit(parts._replace(path=f"/{name}"))


@pytest.fixture(scope="session")
def server_url(stack: Services) -> str:
    return stack.database_url_for("postgres")


@pytest.fixture(scope="session")
def make_database(server_url: str) -> Iterator[Callable[[str], str]]:
    """A factory: ``make_database("a")`` creates an empty database and returns its URL."""
    created: list[str] = []

    def make(label: str) -> str:
        name = f"datagen_t_{label}_{os.getpid()}"
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        created.append(name)
        return database_url(server_url, name)

    yield make
    with psycopg.connect(server_url, autocommit=True) as conn:
        for name in created:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.fixture(scope="session")
def tiny(
    make_database: Callable[[str], str], tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, LoadResult]:
    """The tiny dataset of seed 1, loaded once; tests on it must only read."""
    url = make_database("tiny")
    tokens = tmp_path_factory.mktemp("tokens") / "tokens-tiny-1.csv"
    return url, load_dataset(url, scale="tiny", seed=1, progress=False, tokens_path=tokens)


@pytest.fixture
def tiny_url(tiny: tuple[str, LoadResult]) -> str:
    return tiny[0]


def _checksums(url: str) -> dict[str, str]:
    """md5 of every generated table's rows in key order: equal sums, equal content."""
    keys = {
        "regions": "id", "companies": "id", "users": "id", "api_tokens": "token_hash",
        "products": "id", "orders": "id", "order_items": "order_id, line_no",
        "wallets": "user_id", "wallet_transactions": "id", "cart_items": "id", "audit_log": "id",
    }  # fmt: skip
    with psycopg.connect(url) as conn:
        return {
            table: conn.execute(
                sql.SQL("SELECT md5(string_agg(t::text, ',' ORDER BY {})) FROM {} t").format(
                    sql.SQL(key), sql.Identifier(table)
                )
            ).fetchone()[0]  # type: ignore[index]
            for table, key in keys.items()
        }


@pytest.fixture(scope="session")
def checksums() -> Callable[[str], dict[str, str]]:
    return _checksums


def _rows(url: str, query: str, params: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:
    with psycopg.connect(url) as conn:
        return conn.execute(query, params).fetchall()


@pytest.fixture(scope="session")
def rows() -> Callable[..., list[tuple[Any, ...]]]:
    """``rows(url, query, params)``: all result rows of one query."""
    return _rows
