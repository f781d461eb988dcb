"""Text quoted from a claims file or a run, made inert for where it is printed.

A claim's id, quote, note or reason, a claims file's title, a run's folder
name, a series or an arm: all are written by whoever wrote the file or ran
the benchmark, and they reach places that interpret text. ``verdicts.md``
and ``regress.md`` are posted as a CI job summary or a pull-request comment,
where ``<img src=x onerror=…>`` would be markup and ``[x](javascript:…)`` a
link; a terminal obeys ``\\x1b[…`` and ``\\r``. ``report.html`` needs neither
function: Jinja2's autoescape does it there.
"""

from __future__ import annotations

import re

# C0, DEL and C1 (``\x9b`` is an 8-bit CSI): everything a terminal may act on; and the
# bidirectional overrides and isolates, which make a line read in another order than
# it is written ("Trojan Source", CVE-2021-42574).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_BREAKING = frozenset("\t\n\v\f\r\x85")  # shown as the space they stand for
# What CommonMark and GitHub's extensions read in running text: backslash escapes,
# code spans, emphasis, links and images, table cells, strikethrough, math.
# HTML (and with it autolinks) and entities are written as entities instead.
_MARKDOWN = {
    **{char: "\\" + char for char in "\\`*_[]|~$"},
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
}


def terminal_text(text: str) -> str:
    """``text`` with no control character left: breaks and tabs become a space.

    An escape sequence loses its ESC and shows the rest (``[31mred[0m``): inert, and a
    reader sees that the file held something odd.
    """
    return _CONTROL.sub(lambda found: " " if found.group() in _BREAKING else "", text)


def markdown_text(text: str) -> str:
    """``text`` as it reads, on one line, for a Markdown table cell or inside a sentence.

    No tag, entity, link, image, code span or emphasis survives, a ``|`` cannot end a
    table cell, a line break cannot end a row. Wrap it in ``<code>…</code>`` for a
    monospaced name (a backtick code span cannot be escaped from inside).
    """
    return "".join(_MARKDOWN.get(char, char) for char in terminal_text(text))
