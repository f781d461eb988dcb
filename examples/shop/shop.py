"""A small shop's item service: Flask on PostgreSQL, not the reference portal.

perfproof's example of a team's own service (``docs/targets.md``). Its
switchable feature is real: an index on ``shop_items.sku``, created or
dropped by ``seed.py`` before the service starts, turns the SKU lookup from a
scan of every row into an index probe. The service itself does not know
which arm it is in.

    SHOP_DATABASE_URL=postgresql://... gunicorn --workers 2 --bind 127.0.0.1:8000 shop:app
"""

from __future__ import annotations

import os
from typing import Any

import psycopg
from flask import Flask, abort, jsonify

app = Flask(__name__)
_connection: dict[str, psycopg.Connection[Any]] = {}


def connection() -> psycopg.Connection[Any]:
    """One connection per worker process, autocommit: one statement per query, no BEGIN."""
    if "db" not in _connection or _connection["db"].closed:
        _connection["db"] = psycopg.connect(os.environ["SHOP_DATABASE_URL"], autocommit=True)
    return _connection["db"]


@app.get("/health")
def health() -> Any:
    return jsonify(ok=True)


# The two lookups, by a column each: ``sku`` (the index this example judges) and ``id``.
_BY = {
    "sku": "SELECT id, sku, name, price FROM shop_items WHERE sku = %s",
    "id": "SELECT id, sku, name, price FROM shop_items WHERE id = %s",
}


def _item(column: str, value: object) -> Any:
    row = connection().execute(_BY[column], (value,)).fetchone()
    if row is None:
        abort(404)
    return jsonify(id=row[0], sku=row[1], name=row[2], price=float(row[3]))


@app.get("/items/by-sku/<sku>")
def by_sku(sku: str) -> Any:
    return _item("sku", sku)


@app.get("/items/<int:item_id>")
def by_id(item_id: int) -> Any:
    return _item("id", item_id)
