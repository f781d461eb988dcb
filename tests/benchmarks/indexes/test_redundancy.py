"""The redundancy detector on synthetic index definitions."""

from __future__ import annotations

from benchmarks.indexes.redundancy import IndexDefinition, Redundancy, find_redundant


def btree(
    name: str, *columns: str, table: str = "t", predicate: str | None = None
) -> IndexDefinition:
    return IndexDefinition(name, table, "btree", tuple(columns), predicate)


def test_a_leading_prefix_is_redundant() -> None:
    found = find_redundant([btree("wide", "a", "b"), btree("narrow", "a")])
    assert found == [Redundancy("narrow", "wide", "prefix")]


def test_identical_indexes_report_the_later_one_once() -> None:
    found = find_redundant([btree("t_pkey", "id"), btree("idx_t_id", "id")])
    assert found == [Redundancy("idx_t_id", "t_pkey", "duplicate")]


def test_order_and_direction_of_columns_matter() -> None:
    indexes = [
        btree("ab", "a", "b"),
        btree("b", "b"),  # not a leading prefix
        btree("ba", "b", "a"),
        btree("a_desc_b", "a DESC", "b"),
        btree("a_desc", "a DESC"),  # prefix of a_desc_b only
    ]
    assert find_redundant(indexes) == [
        Redundancy("b", "ba", "prefix"),
        Redundancy("a_desc", "a_desc_b", "prefix"),
    ]


def test_other_tables_and_methods_do_not_cover() -> None:
    indexes = [
        btree("t_a", "a"),
        btree("u_ab", "a", "b", table="u"),
        IndexDefinition("t_a_gin", "t", "gin", ("a gin_trgm_ops",)),
        IndexDefinition("t_ab_gin", "t", "gin", ("a gin_trgm_ops", "b")),
    ]
    assert find_redundant(indexes) == [Redundancy("t_a_gin", "t_ab_gin", "prefix")]


def test_a_partial_index_is_covered_only_by_a_full_or_equally_partial_one() -> None:
    full = btree("full", "a", "b")
    partial = btree("partial", "a", predicate="a IS NOT NULL")
    other = btree("other", "a", "c", predicate="c > 0")
    assert find_redundant([full, partial]) == [Redundancy("partial", "full", "prefix")]
    assert find_redundant([other, partial]) == []
    # The full index on the same columns serves everything the partial one does.
    assert find_redundant([partial, btree("same", "a")]) == [
        Redundancy("partial", "same", "duplicate")
    ]


def test_nothing_to_report() -> None:
    assert find_redundant([]) == []
    assert find_redundant([btree("a", "a"), btree("b", "b")]) == []
    assert str(Redundancy("x", "y", "prefix")) == "x is a prefix of y"
    assert str(Redundancy("x", "y", "duplicate")) == "x duplicates y"
