"""The generator's parts without a database: scales, encoding, plans, progress."""

from __future__ import annotations

import io
import struct

import numpy as np
import pytest

from portal.datagen import SCALES
from portal.datagen.distributions import Picker, zipf_weights
from portal.datagen.encoding import Masked, Texts, encode_rows
from portal.datagen.progress import Progress, human_rate
from portal.datagen.sorting import stable_argsort, time_order
from portal.datagen.world import World


def test_scales_grow_and_are_named_by_their_keys() -> None:
    assert list(SCALES) == ["tiny", "small", "medium", "large"]
    for name, scale in SCALES.items():
        assert scale.name == name
    sizes = [scale.orders for scale in SCALES.values()]
    assert sizes == sorted(sizes)
    with pytest.raises(TypeError):
        SCALES["huge"] = SCALES["tiny"]  # type: ignore[index]


def test_binary_rows_match_the_copy_format() -> None:
    encoded = encode_rows(
        ["int4", "text", "int8", "jsonb", "bool", "int2"],
        [
            np.array([7, 8]),
            Texts.from_vocabulary(np.array([1, 0]), ["ab", "xyz"]),
            Masked(np.array([5, 0]), np.array([False, True])),
            Texts.from_vocabulary(np.array([0, 1]), ["{}", None]),
            np.array([True, False]),
            np.array([-1, 2]),
        ],
    )
    first = (
        struct.pack(">h", 6)
        + struct.pack(">ii", 4, 7)
        + struct.pack(">i", 3) + b"xyz"
        + struct.pack(">iq", 8, 5)
        + struct.pack(">ib", 3, 1) + b"{}"
        + struct.pack(">i?", 1, True)
        + struct.pack(">ih", 2, -1)
    )  # fmt: skip
    second = (
        struct.pack(">h", 6)
        + struct.pack(">ii", 4, 8)
        + struct.pack(">i", 2) + b"ab"
        + struct.pack(">i", -1)
        + struct.pack(">i", -1)
        + struct.pack(">i?", 1, False)
        + struct.pack(">ih", 2, 2)
    )  # fmt: skip
    assert encoded.tobytes() == first + second


def test_texts_keep_trailing_zero_bytes() -> None:
    texts = Texts.from_strings([b"a\x00", b"bcd"])
    assert texts.lengths.tolist() == [2, 3]
    assert encode_rows(["bytea"], [texts]).tobytes().startswith(b"\x00\x01\x00\x00\x00\x02a\x00")


def test_plans_depend_on_the_seed_only() -> None:
    first, again, other = (World(SCALES["tiny"], seed) for seed in (1, 1, 2))
    assert np.array_equal(first.orders.user_id, again.orders.user_id)
    assert np.array_equal(first.ledger.amount_cents, again.ledger.amount_cents)
    assert not np.array_equal(first.orders.user_id, other.orders.user_id)


def test_ledger_plan_invariants_at_small_scale() -> None:
    """The balance rules on 100k orders, in memory: cheap enough for every run."""
    world = World(SCALES["small"], 1)
    ledger = world.ledger
    users = len(world.users.created_at)
    sums = np.zeros(users, np.int64)
    np.add.at(sums, ledger.user_id - 1, ledger.amount_cents)
    assert np.array_equal(sums, ledger.balance_cents)
    assert (ledger.balance_cents >= 0).all()
    assert len(ledger.user_id) == SCALES["small"].wallet_transactions
    assert (np.diff(ledger.created_at) >= 0).all()


def test_progress_is_quiet_unless_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PERFPROOF_PROGRESS", raising=False)
    quiet, piped = io.StringIO(), io.StringIO()
    for stream, enabled in ((quiet, False), (piped, True)):
        progress = Progress(enabled=enabled, stream=stream)
        progress.start("orders", 10)
        progress.advance("orders", 10)
        progress.finish("orders")
        progress.summary("loaded")
    assert quiet.getvalue() == ""
    assert piped.getvalue() == "loaded\n"  # not a terminal: the summary only


def test_progress_draws_tables_in_flight_when_forced() -> None:
    stream = io.StringIO()
    progress = Progress(enabled=True, stream=stream, force=True)
    progress.start("orders", 1_000)
    progress.start("wallet_transactions", 3_000)
    progress.note("a step")
    live = stream.getvalue().rsplit("\r", 1)[-1]
    assert "orders" in live and "wallet_transactions" in live
    progress.advance("orders", 400)
    progress.finish("orders")
    finished = [line for line in stream.getvalue().split("\r") if "orders " in line][-1]
    assert "400/400" in finished and finished.endswith("rows/s\n")
    assert "  a step\n" in stream.getvalue()


def test_human_rate() -> None:
    assert human_rate(324_400) == "324k"
    assert human_rate(1_250_000) == "1.2M"
    assert human_rate(12) == "12"


@pytest.mark.parametrize("high", [3, 20_000, 2**40, 2**62])
def test_stable_argsort_is_numpys_stable_argsort(high: int) -> None:
    keys = np.random.default_rng(4).integers(0, high, 50_000)
    assert np.array_equal(stable_argsort(keys), np.argsort(keys, kind="stable"))


def test_time_order_needs_whole_milliseconds() -> None:
    times = np.array([5_000, 1_000, 5_000, 3_000])
    order, ordered = time_order(times)
    assert order.tolist() == [1, 3, 0, 2]
    assert ordered.tolist() == [1_000, 3_000, 5_000, 5_000]
    with pytest.raises(ValueError, match="whole-millisecond"):
        time_order(np.array([1_001]))


def test_picker_draws_what_a_cdf_search_draws() -> None:
    weights = zipf_weights(10_000, exponent=1.0, offset=5.0)
    weights[::7] = 0.0
    picked = Picker(weights).draw(np.random.default_rng(5), 100_000)
    cdf = np.cumsum(weights) / weights.sum()
    expected = np.searchsorted(cdf, np.random.default_rng(5).random(100_000), side="right")
    assert np.array_equal(picked, expected)
    assert not np.isin(picked, np.arange(0, 10_000, 7)).any()
