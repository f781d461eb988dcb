"""The patterns the schema publishes mean one thing in every regex engine that reads them.

The server validates with pydantic's Rust regex, a client or a fuzzer with
Python's ``re`` or ECMA-262 (JSON Schema's dialect). ``\\s`` is a space to some
of them and not to others (``\\x85``, ``\\x1c``-``\\x1f``): schemathesis sent an
e-mail filter the published pattern allowed and the server refused with a 422.
Every code point of the Basic Multilingual Plane, tried in a pattern's text
positions, must get the same answer from Python's engine and the server's.
"""

from __future__ import annotations

import re
from typing import Annotated

import httpx
import pytest
from pydantic import StringConstraints, TypeAdapter, ValidationError

from portal.api.models import EMAIL, TEXT
from tests.conftest import User

SHORTHANDS = re.compile(r"\\[sSdDwWbB]")
SAMPLES = {EMAIL: "a{}b@example.test", TEXT: "a{}b"}


@pytest.mark.parametrize("pattern", [EMAIL, TEXT], ids=["EMAIL", "TEXT"])
def test_a_published_pattern_uses_no_class_shorthand(pattern: str) -> None:
    assert not SHORTHANDS.search(pattern), pattern


@pytest.mark.parametrize("pattern", [EMAIL, TEXT], ids=["EMAIL", "TEXT"])
def test_python_and_the_server_agree_on_every_character(pattern: str) -> None:
    server = TypeAdapter(Annotated[str, StringConstraints(pattern=pattern)])
    python = re.compile(pattern)
    disagree = []
    for code in range(0x10000):
        if 0xD800 <= code <= 0xDFFF:  # surrogates: not characters a client can send
            continue
        text = SAMPLES[pattern].format(chr(code))
        try:
            server.validate_python(text)
            by_server = True
        except ValidationError:
            by_server = False
        if by_server != bool(python.search(text)):
            disagree.append(hex(code))
    assert disagree == []


def test_an_email_filter_with_a_next_line_character_is_refused_and_says_why(
    client: httpx.Client, admin: User
) -> None:
    """U+0085 was the fuzzer's example: a space to the server, not to the schema's reader."""
    response = client.get("/api/admin/users", params={"email": "a\x85b@example.test"},
                          headers=admin.headers)  # fmt: skip
    assert response.status_code == 422, response.text
    (error,) = response.json()["errors"]
    assert error["field"] == "email" and "no spaces" in error["message"]
