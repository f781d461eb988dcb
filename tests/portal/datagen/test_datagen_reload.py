"""Determinism, the skip on a matching fingerprint, and the schema a load leaves behind."""

from __future__ import annotations

import dataclasses
import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import psycopg
import pytest

from portal.datagen import (
    GENERATOR_VERSION,
    LoadResult,
    dataset_fingerprint,
    load_dataset,
    loader,
    mark_written,
)
from portal.datagen import tables as datagen_tables
from portal.db.sqlfiles import sql_file

Checksums = Callable[[str], dict[str, str]]
Rows = Callable[..., list[tuple[Any, ...]]]


@pytest.fixture(scope="module")
def other_url(make_database: Callable[[str], str]) -> str:
    """A second database that the tests in this module reload in turn."""
    return make_database("reload")


def test_same_seed_same_rows_whatever_the_chunk_size(
    tiny: tuple[str, LoadResult],
    other_url: str,
    checksums: Checksums,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setattr(datagen_tables, "CHUNK_ROWS", 777)
    load_dataset(other_url, scale="tiny", seed=1, progress=False, tokens_path=tmp_path / "t.csv")
    assert checksums(other_url) == checksums(tiny[0])


def test_another_seed_other_rows(
    tiny: tuple[str, LoadResult], other_url: str, checksums: Checksums, tmp_path: Path
) -> None:
    result = load_dataset(
        other_url, scale="tiny", seed=2, progress=False, tokens_path=tmp_path / "t.csv"
    )
    assert not result.skipped
    theirs, ours = checksums(tiny[0]), checksums(other_url)
    # Regions are a fixed list; everything drawn from the seed differs.
    assert theirs.pop("regions") == ours.pop("regions")
    assert all(theirs[table] != ours[table] for table in theirs)


def test_same_fingerprint_skips_and_rewrites_tokens(other_url: str, tmp_path: Path) -> None:
    tokens = tmp_path / "tokens.csv"
    first = load_dataset(other_url, scale="tiny", seed=3, progress=False, tokens_path=tokens)
    tokens.unlink()
    again = load_dataset(other_url, scale="tiny", seed=3, progress=False, tokens_path=tokens)
    assert not first.skipped and again.skipped
    assert again.rows == first.rows
    assert tokens.read_text().count("\n") == first.rows["users"] + 1
    fingerprint = dataset_fingerprint(other_url)
    assert fingerprint is not None
    assert (fingerprint["scale"], fingerprint["seed"]) == ("tiny", 3)
    assert fingerprint["generator_version"] == GENERATOR_VERSION
    assert fingerprint["row_counts"] == first.rows
    assert fingerprint["load_seconds"] > 0


def test_force_reloads(other_url: str, tmp_path: Path) -> None:
    load_dataset(other_url, scale="tiny", seed=4, progress=False, tokens_path=tmp_path / "t.csv")
    with psycopg.connect(other_url) as conn:
        conn.execute("DELETE FROM cart_items")
    forced = load_dataset(
        other_url, scale="tiny", seed=4, force=True, progress=False, tokens_path=tmp_path / "t.csv"
    )
    assert not forced.skipped
    with psycopg.connect(other_url) as conn:
        carts = conn.execute("SELECT count(*) FROM cart_items").fetchone()
    assert carts == (forced.rows["cart_items"],)


def test_a_dataset_marked_written_is_regenerated_not_reused(other_url: str, tmp_path: Path) -> None:
    """Load tests and checks write: the next run must start from the generator's rows again."""
    tokens = tmp_path / "t.csv"
    first = load_dataset(other_url, scale="tiny", seed=6, progress=False, tokens_path=tokens)
    mark_written(other_url)
    with psycopg.connect(other_url) as conn:  # what a load test's checkout leaves behind
        conn.execute("DELETE FROM cart_items")
    assert dataset_fingerprint(other_url) is None
    again = load_dataset(other_url, scale="tiny", seed=6, progress=False, tokens_path=tokens)
    assert not again.skipped
    with psycopg.connect(other_url) as conn:
        carts = conn.execute("SELECT count(*) FROM cart_items").fetchone()
    assert carts == (first.rows["cart_items"],)


def test_marking_an_empty_database_written_is_harmless(
    make_database: Callable[[str], str],
) -> None:
    url = make_database("never-loaded")
    mark_written(url)
    assert dataset_fingerprint(url) is None


def test_no_fingerprint_in_an_empty_database(make_database: Callable[[str], str]) -> None:
    assert dataset_fingerprint(make_database("empty")) is None


def test_load_leaves_the_schema_of_schema_sql(
    tiny_url: str, make_database: Callable[[str], str], rows: Rows
) -> None:
    """Keys are dropped for the COPY and rebuilt: the result must equal schema.sql as written."""
    reference = make_database("schema")
    with psycopg.connect(reference) as conn:
        conn.execute(sql_file("schema.sql").read_text().encode())

    def shape(url: str) -> list[tuple[Any, ...]]:
        return rows(
            url,
            """
            SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), convalidated
            FROM pg_constraint WHERE connamespace = 'public'::regnamespace
            UNION ALL
            SELECT indrelid::regclass::text, indexrelid::regclass::text,
                   pg_get_indexdef(indexrelid), true
            FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
            WHERE c.relnamespace = 'public'::regnamespace
            UNION ALL
            SELECT table_name, column_name,
                   concat_ws(' ', data_type, is_nullable, column_default, is_identity), true
            FROM information_schema.columns WHERE table_schema = 'public'
            ORDER BY 1, 2, 3
            """,
        )

    assert shape(tiny_url) == shape(reference)


def test_unknown_scale_and_bad_seed_are_value_errors(other_url: str) -> None:
    with pytest.raises(ValueError, match="unknown scale 'huge'"):
        load_dataset(other_url, scale="huge", progress=False)
    with pytest.raises(ValueError, match="seed"):
        load_dataset(other_url, seed=-1, progress=False)


def test_summary_line_when_progress_is_on_but_stderr_is_no_terminal(
    other_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    load_dataset(other_url, scale="tiny", seed=5, tokens_path=tmp_path / "t.csv")
    out, err = capsys.readouterr()
    assert out == ""
    assert re.fullmatch(r"loaded tiny \(seed 5\): [\d,]+ rows in \d+\.\d s \(\d+k? rows/s\)\n", err)


def _failing(table: str, chunks: Callable[..., Any]) -> tuple[datagen_tables.Table, ...]:
    return tuple(
        dataclasses.replace(t, chunks=chunks) if t.name == table else t
        for t in datagen_tables.TABLES
    )


@pytest.mark.parametrize("side", ["generator", "server"])
def test_a_failed_load_keeps_the_previous_dataset(
    side: str,
    other_url: str,
    tmp_path: Path,
    checksums: Checksums,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    load_dataset(other_url, scale="tiny", seed=6, progress=False, tokens_path=tmp_path / "t.csv")
    before = checksums(other_url)

    def broken(_world: Any) -> Any:
        if side == "generator":
            raise RuntimeError("generator broke")
        # quantity 0 breaks a CHECK: the server rejects the COPY mid-stream, while
        # the producer still has chunks (and a table) to go.
        for _ in range(50):
            yield [np.arange(1, 3), np.arange(1, 3), np.arange(1, 3), np.zeros(2), np.arange(2)]

    monkeypatch.setattr(loader, "TABLES", _failing("cart_items", broken))
    expected = (
        (RuntimeError, "generator broke") if side == "generator" else (psycopg.Error, "check")
    )
    with pytest.raises(expected[0], match=expected[1]):
        load_dataset(
            other_url, scale="tiny", seed=7, progress=False, tokens_path=tmp_path / "t.csv"
        )
    assert checksums(other_url) == before
    fingerprint = dataset_fingerprint(other_url)
    assert fingerprint is not None and fingerprint["seed"] == 6
    assert [t.name for t in threading.enumerate() if t.name == "datagen-producer"] == []
