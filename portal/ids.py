"""What an id in a path is, for the app and the cache alike: the digits 0-9, nothing else.

Python's ``int()`` and pydantic read ``١٢``, ``+12``, `` 12`` and ``1_2`` as 12,
and ``str.isdigit()`` accepts ``²``, which ``int()`` then refuses. The cache once
keyed requests on one reading and the app routed on another: ``/api/products/²``
was a 500 from the cache layer, and ``/api/products/١٢`` a 422 when cold but
product 12 once ``/api/products/12`` was cached. Both now go by :data:`DIGITS`:
the app answers 422 for anything else, and the cache never keys it. Ids go up to :data:`ID_MAX`.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Path
from pydantic import BeforeValidator

DIGITS = re.compile(r"[0-9]+")  # a character class of ASCII digits only, unlike \d
# Order, product and cart item ids are PostgreSQL bigints (up to 2**63 - 1), but an
# id above 2**53 - 1 is not one every JSON client can hold: JavaScript's numbers and
# FastAPI's float-typed schema bounds round it (2**63 - 1 was published as 2**63,
# and a fuzzer took 2**63 - 1 + 200 for valid). Up to 2**53 - 1 every reader of the
# schema and every client means the same number the server does.
ID_MAX = 2**53 - 1
INT_MAX = 2**31 - 1  # PostgreSQL integer: user and company ids


def parse_id(text: str, maximum: int = ID_MAX) -> int | None:
    """The id ``text`` names, or None when the app would refuse it (so the cache keeps out)."""
    if DIGITS.fullmatch(text) is None:
        return None
    value = int(text)
    return value if 1 <= value <= maximum else None


def _digits_only(value: object) -> object:
    if isinstance(value, str) and DIGITS.fullmatch(value) is None:
        raise ValueError("an id is a whole number written with the digits 0-9")
    return value


# Path() first: its bounds then appear as minimum/maximum in the OpenAPI schema.
BigId = Annotated[int, Path(ge=1, le=ID_MAX), BeforeValidator(_digits_only)]
IntId = Annotated[int, Path(ge=1, le=INT_MAX), BeforeValidator(_digits_only)]
