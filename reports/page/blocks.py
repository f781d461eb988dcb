"""The shapes the report's template reads: tables of text, facts, sections with their plots.

The builders (the modules of ``reports/page``) do every computation and every rounding and
hand the template only these, already strings: the template then decides
layout, never numbers, and a value cannot reach the page unformatted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # a type only: the shapes need no matplotlib
    from reports.page.figures import Plot


@dataclass
class Table:
    caption: str
    headers: list[str]
    rows: list[list[str]]
    note: str = ""


@dataclass
class Block:
    """A titled part of a section: a few facts, tables, plots, preformatted text, notes."""

    title: str = ""
    facts: list[tuple[str, str]] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    plots: list[Plot] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    code: list[tuple[str, str]] = field(default_factory=list)  # (caption, text), e.g. plans
    missing: list[str] = field(default_factory=list)  # what this block would show, and why not


def anchor(identifier: str) -> str:
    """An id safe in a URL fragment: ``products-index[text]`` -> ``claim-products-index-text``."""
    return "claim-" + re.sub(r"[^A-Za-z0-9_-]+", "-", identifier).strip("-")
