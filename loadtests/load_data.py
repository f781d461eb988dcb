"""What a load test needs to know of the dataset, in one file beside the tokens file.

Who logs in (every user's token, and how many orders they have placed, so heavy
buyers are drawn more often, as in the data) and what there is to ask for
(regions, categories, prices). ``perfproof loadtest`` writes it before every
run; a plain ``locust -f loadtests/locustfile.py`` reads the same file
(``PERFPROOF_LOAD_DATA``, else ``load-<scale>-<seed>.json`` in the perfproof
home for ``PERFPROOF_SCALE``, default small, and seed 1).
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import psycopg

from portal.datagen.tokens_file import read_tokens_file
from portal.files import write_text_atomically
from portal.home import perfproof_home

DATA_ENV = "PERFPROOF_LOAD_DATA"


@dataclass(frozen=True)
class LoadUser:
    user_id: int
    role: str
    token: str
    orders: int  # orders placed: the weight a buyer is drawn with (plus one)


@dataclass(frozen=True)
class LoadData:
    scale: str
    seed: int
    users: list[LoadUser]
    regions: list[int]
    categories: list[str]
    price_quartiles: list[int]  # p25, p50, p75 of price_cents

    def buyers(self) -> list[LoadUser]:
        return [user for user in self.users if user.role == "buyer"]

    def admins(self) -> list[LoadUser]:
        return [user for user in self.users if user.role == "admin"]


def default_path(scale: str, seed: int) -> Path:
    return perfproof_home() / f"load-{scale}-{seed}.json"


def prepare(database_url: str, tokens_path: Path, *, scale: str, seed: int) -> LoadData:
    """Read the facts from the loaded dataset (a few aggregate queries)."""
    with psycopg.connect(database_url) as conn:
        counted = conn.execute("SELECT user_id, count(*) FROM orders GROUP BY 1").fetchall()
        orders: dict[int, int] = {int(user_id): int(count) for user_id, count in counted}
        regions = [row[0] for row in conn.execute("SELECT id FROM regions ORDER BY id")]
        categories = [
            row[0] for row in conn.execute("SELECT DISTINCT category FROM products ORDER BY 1")
        ]
        quartiles = conn.execute(
            "SELECT percentile_disc(ARRAY[0.25, 0.5, 0.75]) WITHIN GROUP (ORDER BY price_cents)"
            " FROM products"
        ).fetchone()
    users = [
        LoadUser(user.user_id, user.role, user.token, int(orders.get(user.user_id, 0)))
        for user in read_tokens_file(tokens_path)
    ]
    assert quartiles is not None
    return LoadData(scale, seed, users, regions, categories, list(quartiles[0]))


def write(data: LoadData, path: Path) -> Path:
    """Owner-readable only: it holds working tokens for the test dataset."""
    write_text_atomically(path, json.dumps(asdict(data)) + "\n", mode=0o600)
    return path


def read(path: Path) -> LoadData:
    raw: dict[str, Any] = json.loads(path.read_text())
    users = [LoadUser(**user) for user in raw.pop("users")]
    return LoadData(users=users, **raw)


def locate() -> Path:
    """The file a plain Locust run reads; FileNotFoundError saying how to make it."""
    configured = os.environ.get(DATA_ENV)
    if configured:
        path = Path(configured)
    else:
        path = default_path(os.environ.get("PERFPROOF_SCALE", "small"), 1)
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} does not exist: run `perfproof loadtest --prepare` (with the same "
            f"--scale) first, or point {DATA_ENV} at a load data file"
        )
    return path
