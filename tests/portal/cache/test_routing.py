"""Matching requests to the declared routes, and keys that mean what they say."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError
from starlette.datastructures import QueryParams

from portal import Settings, create_app
from portal.cache import MemoryBackend, ResponseCache
from portal.cache.routing import RouteTable, normalised_query
from portal.ids import INT_MAX, BigId, IntId, parse_id

OPENAPI = create_app(Settings()).openapi()


def scope(method: str, path: str, query: bytes = b"") -> dict[str, object]:
    return {"type": "http", "method": method, "path": path, "query_string": query}


def cache(openapi: dict[str, Any] = OPENAPI) -> ResponseCache:
    memory = MemoryBackend(max_entries=10, max_bytes=10_000, max_ttl_s=10)
    return ResponseCache(backend=memory, table=RouteTable(openapi), settings=Settings(), prefix="p")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (b"", ""),
        (b"b=2&a=1", "a=1&b=2"),
        (b"limit=5&limit=7", "limit=5&limit=7"),  # repeated values keep their order
        (b"q=a%20b&utm_source=x", "q=a+b"),  # undeclared parameters are dropped
    ],
)
def test_query_normalisation(query: bytes, expected: str) -> None:
    assert normalised_query(query, frozenset({"a", "b", "limit", "q"})) == expected


def test_long_queries_are_hashed() -> None:
    key = normalised_query(b"q=" + b"x" * 300, frozenset({"q"}))
    assert key.startswith("h") and len(key) == 65


def test_keys_carry_the_user_only_for_per_user_routes() -> None:
    c = cache()
    shared = c.table.read(scope("GET", "/api/products"))
    mine = c.table.read(scope("GET", "/api/wallet"))
    assert shared is not None and mine is not None
    a, b = c.request_for(shared, 1, b"limit=3"), c.request_for(shared, 2, b"limit=3")
    assert a is not None and b is not None and a.entry_key == b.entry_key
    one, two = c.request_for(mine, 1, b""), c.request_for(mine, 2, b"")
    assert one is not None and two is not None
    assert one.entry_key == "p:e:wallet:/api/wallet:u1:" != two.entry_key
    assert one.token_keys == ("p:v:all", "p:v:ns:wallet", "p:v:wallet:u1")
    assert one.per_user and not a.per_user


def test_path_parameters_must_be_plain_integers() -> None:
    c = cache()
    padded = c.table.read(scope("GET", "/api/products/007"))
    assert padded is not None and padded.path_params == {"product_id": 7}
    request = c.request_for(padded, 1, b"")
    assert request is not None and request.token_keys[-1] == "p:v:product:7"
    for odd in ("/api/products/abc", "/api/products/-1", "/api/products/99999999999999999999"):
        matched = c.table.read(scope("GET", odd))
        assert matched is not None and c.request_for(matched, 1, b"") is None
    assert c.table.read(scope("GET", "/api/products/1/sales")) is None
    assert c.table.read(scope("POST", "/api/products")) is None


def test_declared_writes_renew_their_tokens() -> None:
    c = cache()
    patch = c.table.write(scope("PATCH", "/api/products/12"))
    assert patch is not None
    assert c.tokens_for_write(patch, 5) == [
        ("products", "p:v:products:catalogue"),
        ("products", "p:v:product:12"),
    ]
    checkout = c.table.write(scope("POST", "/api/orders"))
    assert checkout is not None
    assert [key for _, key in c.tokens_for_write(checkout, 9)] == [
        "p:v:orders:u9",
        "p:v:wallet:u9",
        "p:v:cart:u9",
    ]


def test_an_undeclared_write_route_invalidates_everything() -> None:
    openapi = {"paths": {**OPENAPI["paths"], "/api/admin/reindex": {"post": {"parameters": []}}}}
    c = cache(openapi)
    assert c.table.undeclared == [("POST", "/api/admin/reindex")]
    matched = c.table.write(scope("POST", "/api/admin/reindex"))
    assert matched is not None and c.tokens_for_write(matched, 1) == [("all", "p:v:all")]


def test_a_policy_naming_a_missing_route_fails_at_start_up() -> None:
    paths = {p: item for p, item in OPENAPI["paths"].items() if p != "/api/wallet/top-up"}
    with pytest.raises(LookupError, match="top-up"):
        RouteTable({"paths": paths})


# Path segments as a client could send them (Starlette matches ``[^/]+``): any text,
# digit strings of every length, and digits of other scripts.
SEGMENTS = st.one_of(
    st.text(min_size=1).filter(lambda text: "/" not in text),
    st.from_regex(r"\A[0-9]{1,25}\Z"),
    st.text(alphabet=st.characters(categories=["Nd", "No"]), min_size=1, max_size=4),
)
BIG, INT = TypeAdapter(BigId), TypeAdapter(IntId)


def _app_reads(adapter: TypeAdapter[int], segment: str) -> int | None:
    """What the app's own parameter type makes of the segment (None: it answers 422)."""
    try:
        return adapter.validate_python(segment)
    except ValidationError:
        return None


@given(segment=SEGMENTS)
@example(segment="\u00b2")  # ², a 500 from the cache layer once
@example(segment="\u0661\u0662")  # ١٢: once product 12 from the cache, 422 from the app
@example(segment="9223372036854775808")
@example(segment="007")
def test_the_cache_reads_every_path_id_as_the_app_does(segment: str) -> None:
    """Property: for any segment, the cache keys the id the app serves, or keeps out."""
    table = RouteTable(OPENAPI)
    routes = [
        (table.read, "GET", "/api/products/{}", "product_id"),
        (table.read, "GET", "/api/orders/{}", "order_id"),
        (table.write, "PATCH", "/api/cart/items/{}", "item_id"),
    ]
    for lookup, method, path, name in routes:
        matched = lookup(scope(method, path.format(segment)))
        assert matched is not None
        cache_reads = None if matched.path_params is None else matched.path_params[name]
        assert cache_reads == _app_reads(BIG, segment)


@given(segment=SEGMENTS)
@example(segment="2147483648")
def test_the_shared_id_reading_is_the_apps_for_integer_ids_too(segment: str) -> None:
    assert parse_id(segment, INT_MAX) == _app_reads(INT, segment)


# Query strings over a small alphabet, so that different strings often normalise alike:
# declared and undeclared names, repeated names, escapes, blanks.
_PAIRS = st.lists(
    st.tuples(
        st.sampled_from(["limit", "offset", "q", "sort", "utm", "a b", "q%20"]),
        st.sampled_from(["", "1", "2", "x", "%2F", "+", "%E2%82%AC", "a&b"]),
    ),
    max_size=5,
)


def _query(pairs: list[tuple[str, str]]) -> bytes:
    return "&".join(f"{name}={value}" for name, value in pairs).encode()


def _app_view(query: bytes, names: frozenset[str]) -> dict[str, str | None]:
    """What the app reads: Starlette's query parameters, the last value of each name."""
    params = QueryParams(query)
    return {name: params.get(name) for name in names}


_UNDECLARED = st.lists(
    st.tuples(st.sampled_from(["utm", "a b", "q%20", "LIMIT"]), st.sampled_from(["", "1", "x"])),
    max_size=3,
)


@given(first=_PAIRS, data=st.data())
def test_two_queries_share_a_cache_key_only_if_the_app_reads_them_alike(
    first: list[tuple[str, str]], data: st.DataObject
) -> None:
    """Property: one cache key never stands for two different requests to the app.

    The second query is the first reordered, with undeclared parameters added
    (the app ignores those): the cases where a careless key would merge two.
    """
    second = data.draw(st.permutations(first)) + data.draw(_UNDECLARED)
    second = data.draw(st.permutations(second))
    table = RouteTable(OPENAPI)
    matched = table.read(scope("GET", "/api/products"))
    assert matched is not None and matched.plan.query_names is not None
    names = matched.plan.query_names
    a, b = _query(first), _query(second)
    if normalised_query(a, names) == normalised_query(b, names):
        assert _app_view(a, names) == _app_view(b, names)
