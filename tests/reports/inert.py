"""Hostile text a claims file or a run can carry, and how to tell that an output left it inert.

``PAYLOADS`` pairs each payload with how it must read once shown: as the text it
is, line breaks and tabs as spaces, other control characters gone. The Markdown
is rendered by markdown-it-py with raw HTML passed through (as many renderers
do before any sanitiser), so anything the writer failed to escape comes out as
a live tag or link.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from markdown_it import MarkdownIt

PAYLOADS: tuple[tuple[str, str], ...] = (
    ("<script>alert(1)</script>", "<script>alert(1)</script>"),
    ('"><img src=x onerror=alert(1)>', '"><img src=x onerror=alert(1)>'),
    ("[x](javascript:alert(1))", "[x](javascript:alert(1))"),
    ("![x](http://example.invalid/x.png)", "![x](http://example.invalid/x.png)"),
    ("&lt;b&gt; &amp; &#60;", "&lt;b&gt; &amp; &#60;"),
    ("a | b\nc", "a | b c"),
    ("\x1b[31mred\x1b[0m", "[31mred[0m"),
    ("over\rwritten", "over written"),
    ("`code` *em* _em_ ~~gone~~ \\", "`code` *em* _em_ ~~gone~~ \\"),
    ("access\u202e\u2066level\u2069\u2066", "accesslevel"),
)
# What the writers themselves may put in the Markdown: anything else is the payload's.
WRITERS_TAGS = frozenset(
    {"h3", "p", "code", "strong", "blockquote", "details", "summary", "table", "thead",
     "tbody", "tr", "th", "td"}
)  # fmt: skip
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@dataclass
class Rendered:
    """A rendered page: its tags and their attributes, and its table rows as cell texts."""

    html: str
    tags: set[str] = field(default_factory=set)
    attributes: set[str] = field(default_factory=set)  # href, src, onerror…: none of ours
    rows: list[list[str]] = field(default_factory=list)


class _Reader(HTMLParser):
    def __init__(self, page: Rendered) -> None:
        super().__init__()
        self.page = page
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.page.tags.add(tag)
        self.page.attributes.update(name for name, _ in attrs)
        if tag == "tr":
            self.page.rows.append([])
        elif tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.cell is not None:
            self.page.rows[-1].append("".join(self.cell).strip())
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def render(markdown: str) -> Rendered:
    """``markdown`` through markdown-it-py (CommonMark, raw HTML on, GFM tables)."""
    html = MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(markdown)
    page = Rendered(html)
    reader = _Reader(page)
    reader.feed(html)
    reader.close()
    return page


def assert_inert(markdown: str) -> Rendered:
    """Only the writer's own tags, bare; no link or image; every table row as wide as the first."""
    page = render(markdown)
    for live in ("<script", "<img", "<a ", 'href="javascript:'):
        assert live not in page.html, (live, page.html)
    assert page.tags <= WRITERS_TAGS, page.tags - WRITERS_TAGS  # no <a>, <img>, <script>…
    assert not page.attributes, page.attributes
    assert page.rows, "no table rendered"
    widths = {len(row) for row in page.rows}
    assert len(widths) == 1, [row for row in page.rows if len(row) != len(page.rows[0])]
    return page


def assert_no_control(lines: list[str]) -> None:
    """Each printed line free of control characters (the printer adds its own newlines)."""
    for line in lines:
        assert not CONTROL.search(line), repr(line)
