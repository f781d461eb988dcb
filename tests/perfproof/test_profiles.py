"""The run profiles: one row per name, every setting declared there, and docs that agree."""

from __future__ import annotations

import re
from pathlib import Path

from benchmarks.rounds import RoundsPlan, parse_rounds
from perfproof.profiles import PROFILES
from portal.datagen import SCALES

DOCS = Path(__file__).resolve().parents[2] / "docs" / "bench.md"


def test_every_profile_names_known_sizes_and_a_growth_mode_of_three() -> None:
    for profile in PROFILES.values():
        assert set(profile.scales) <= set(SCALES)
        assert set(profile.scaling) <= set(SCALES)
        assert len(profile.scaling) >= 3


def test_the_rounds_cross_into_the_suites_unchanged() -> None:
    """``--rounds`` is how a profile's rounds reach the suites' pytest: nothing lost."""
    for profile in PROFILES.values():
        assert parse_rounds(profile.rounds.option()) == profile.rounds


def test_a_rounds_option_with_a_typo_is_refused_by_name() -> None:
    for text, named in (("budget_s=1,min_rounds=1,max_rounds=2", "warmup_rounds"),
                        ("budget=1", "unknown setting"), ("budget_s=x", "budget_s")):  # fmt: skip
        try:
            parse_rounds(text)
        except ValueError as error:
            assert named in str(error)
        else:
            raise AssertionError(f"{text!r} was taken")


def test_rounds_stay_within_the_profiles_bounds() -> None:
    plan = RoundsPlan(budget_s=0.5, min_rounds=5, max_rounds=15, warmup_rounds=3)
    assert plan.rounds_for(0.001) == 15  # a fast query: the most
    assert plan.rounds_for(0.2) == 5  # a slow one: the fewest
    assert plan.rounds_for(0.05) == 10
    assert plan.rounds_for(0.0) == 15


def test_the_docs_profile_table_has_every_profile_in_order() -> None:
    rows = re.findall(r"^\| `(\w+)` \| ([^|]+) \|", DOCS.read_text(), flags=re.M)
    assert [name for name, _ in rows] == list(PROFILES)
    for name, sizes in rows:
        assert all(scale in sizes for scale in PROFILES[name].scales), name


def test_every_profile_has_blocks_enough_for_the_block_test() -> None:
    assert all(profile.rounds.blocks >= 2 for profile in PROFILES.values())
    assert PROFILES["gate"].rounds.blocks > PROFILES["quick"].rounds.blocks
