"""Text from a claims file or a run is shown as text: in verdicts.md and in the terminal.

Each payload goes into every field of a verdict a claims file or a run can
fill (id, quote, reason, the title, the run's name); the Markdown is rendered
and must show the payload as the text it is, in a table whose rows all keep
their columns, and the terminal lines must hold no control character.
"""

from __future__ import annotations

import pytest

from reports.inert_text import markdown_text, terminal_text
from tests.reports.inert import PAYLOADS, assert_inert


@pytest.mark.parametrize(("payload", "shown"), PAYLOADS)
def test_a_markdown_cell_renders_as_the_text_it_holds(payload: str, shown: str) -> None:
    table = f"| a | b |\n|---|---|\n| {markdown_text(payload)} | after |\n"
    page = assert_inert(table)
    assert page.rows == [["a", "b"], [shown, "after"]]


@pytest.mark.parametrize(("payload", "shown"), PAYLOADS)
def test_terminal_text_keeps_the_words_and_drops_every_control(payload: str, shown: str) -> None:
    assert terminal_text(payload) == shown


def test_every_c0_and_c1_control_is_dropped_and_breaks_become_spaces() -> None:
    controls = "".join(map(chr, [*range(0x20), 0x7F, *range(0x80, 0xA0)]))
    assert terminal_text(f"a{controls}b") == "a" + " " * 6 + "b"  # \t \n \v \f \r and NEL
    assert terminal_text("é — ÷ 85 %") == "é — ÷ 85 %"
