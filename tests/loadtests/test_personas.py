"""The persona table: what docs/loadtests.md documents is what Locust runs; users drawn with the
skew."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

from loadtests.load_data import LoadData, LoadUser
from loadtests.personas import PERSONAS, draw_user, personas_of

PAGE = (Path(__file__).resolve().parents[2] / "docs" / "loadtests.md").read_text()


def test_the_load_tests_page_lists_every_task_with_its_weight() -> None:
    everyone = sum(persona.weight for persona in PERSONAS)
    for persona in PERSONAS:
        total = sum(task.weight for task in persona.tasks)
        for task in persona.tasks:
            who = f"{persona.name} ({persona.weight} in {everyone})"
            row = f"| {who} | {task.name} | {task.weight} of {total} |"
            assert row in PAGE, row


def test_a_buyer_is_drawn_by_orders_plus_one() -> None:
    """Synthetic users: one with 99 orders, nine with none: 100 to 9 odds (seeded)."""
    users = [
        LoadUser(1, "buyer", "t1", 99),
        *(LoadUser(n, "buyer", f"t{n}", 0) for n in range(2, 11)),
    ]
    data = LoadData("tiny", 1, [*users, LoadUser(50, "admin", "ta", 0)], [1], ["x"], [1, 2, 3])
    rng = random.Random(1)
    drawn = Counter(draw_user(PERSONAS[0], data, rng).user_id for _ in range(10_000))
    assert 0.88 < drawn[1] / 10_000 < 0.95  # 100 / 109 = 0.917
    assert {draw_user(PERSONAS[1], data, rng).user_id for _ in range(20)} == {50}


def test_both_personas_have_tasks_and_weights() -> None:
    assert {persona.role for persona in PERSONAS} == {"buyer", "admin"}
    assert all(
        persona.tasks and all(task.weight > 0 for task in persona.tasks) for persona in PERSONAS
    )


def test_a_window_s_people_come_in_the_table_s_proportions() -> None:
    """64 people at 19 to 1: 3 or 4 admins (3.2 expected), never the 0 to 8 of a free draw,
    and over many windows exactly the table's share (seeded)."""
    rng = random.Random(7)
    counts = [Counter(p.role for p in personas_of(64, rng)) for _ in range(5_000)]
    assert all(sum(count.values()) == 64 for count in counts)
    assert {count["admin"] for count in counts} == {3, 4}
    share = sum(count["admin"] for count in counts) / (64 * len(counts))
    assert abs(share - 1 / 20) < 0.001
    orders = {tuple(p.role for p in personas_of(64, rng)) for _ in range(20)}
    assert len(orders) > 1  # shuffled: who comes first is not fixed
