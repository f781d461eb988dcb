"""Fresh API tokens for existing users, for a person or a script to call the portal.

Dataset tokens are derived from the seed (the tokens file); a minted token is
random, so it can be handed out without giving away every other user's.
"""

from __future__ import annotations

from typing import Literal

import psycopg

from portal.auth.tokens import hash_token, new_token
from portal.settings import libpq_url

Role = Literal["admin", "buyer"]
_CONNECT_TIMEOUT_S = 10


class UnknownUser(LookupError):
    """No user matches the id or role asked for."""


def mint_token(
    database_url: str, *, user_id: int | None = None, role: Role | None = None
) -> tuple[int, str]:
    """Store a new token's hash for ``user_id`` (or the lowest-id user with ``role``).

    Returns (user id, token). The token itself is never stored: only its
    digest, as the portal's authentication expects.
    """
    if (user_id is None) == (role is None):
        raise ValueError("give exactly one of user_id and role")
    with psycopg.connect(libpq_url(database_url), connect_timeout=_CONNECT_TIMEOUT_S) as conn:
        if role is not None:
            row = conn.execute(
                "SELECT id FROM users WHERE role = %s ORDER BY id LIMIT 1", (role,)
            ).fetchone()
            if row is None:
                raise UnknownUser(f"no user with role {role}")
        else:
            row = conn.execute("SELECT id FROM users WHERE id = %s", (user_id,)).fetchone()
            if row is None:
                raise UnknownUser(f"no user with id {user_id}")
        token = new_token()
        conn.execute(
            "INSERT INTO api_tokens (token_hash, user_id) VALUES (%s, %s)",
            (hash_token(token), row[0]),
        )
    return int(row[0]), token
