"""The index blocks: each arm as often as the profile says, in an order drift cannot favour."""

from __future__ import annotations

import pytest

from benchmarks.arms import index_blocks


def test_two_blocks_per_arm_are_on_off_off_on() -> None:
    assert index_blocks(2) == (("on", 1), ("off", 1), ("off", 2), ("on", 2))


@pytest.mark.parametrize("per_arm", [2, 4, 16])
def test_each_arm_gets_its_blocks_and_the_same_mean_position(per_arm: int) -> None:
    order = index_blocks(per_arm)
    positions = {
        state: [i for i, (s, _) in enumerate(order) if s == state] for state in ("on", "off")
    }
    assert {state: len(found) for state, found in positions.items()} == {
        "on": per_arm,
        "off": per_arm,
    }
    assert sum(positions["on"]) == sum(positions["off"])  # a linear drift costs both alike
    assert sorted(block for state, block in order if state == "on") == list(range(1, per_arm + 1))


def test_no_block_at_all_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one block"):
        index_blocks(0)
