"""The run profiles: one row per name, every setting declared there, and docs that agree."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from benchmarks.rounds import RoundsPlan, parse_rounds
from benchmarks.scaling import AbsoluteGoal
from perfproof.bench.outputs import absolute_goal
from perfproof.profiles import PROFILES
from portal.datagen import SCALES
from reports.claims import ClaimsError, load_claims

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


def test_the_growth_goal_comes_from_the_claims_file(tmp_path: Path) -> None:
    """The write-up's 1.3 s -> 0.2 s lives in reports/claims.toml, nowhere else."""
    goal = absolute_goal(load_claims())
    assert goal is not None
    assert (goal.before_s, goal.after_s) == (1.3, 0.2)
    claim = next(c for c in load_claims().claims if c.statistic == "absolute_reduction")
    assert claim.claimed is not None
    assert claim.claimed.low == pytest.approx(1 - 0.2 / 1.3)
    other = tmp_path / "other.toml"
    other.write_text(
        '[[claims]]\nid = "x"\nquote = "q"\nstatistic = "absolute_reduction"\n'
        'suite = "growth"\nseries = "orders.list_for_user[heavy]"\nbefore_s = 4.0\nafter_s = 1.0\n'
    )
    assert absolute_goal(load_claims(other)) == AbsoluteGoal("orders.list_for_user[heavy]", 4, 1)
    claimed = load_claims(other).claims[0].claimed
    assert claimed is not None and claimed.low == 0.75


@pytest.mark.parametrize(
    ("extra", "said"),
    [
        ("before_s = 1.0\nafter_s = 2.0\n", "want 0 < after_s < before_s"),
        ("before_s = 1.3\nafter_s = 0.2\nat_least = 0.8\n", "give no at_least"),
        ("before_s = 1.3\n", "after_s must be a number"),
    ],
)
def test_times_that_cannot_be_a_reduction_are_refused(
    tmp_path: Path, extra: str, said: str
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        '[[claims]]\nid = "x"\nquote = "q"\nstatistic = "absolute_reduction"\n'
        f'suite = "growth"\nseries = "orders.list_for_user[heavy]"\n{extra}'
    )
    with pytest.raises(ClaimsError, match=said):
        load_claims(bad)
