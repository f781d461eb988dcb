"""The token store: lookups, revocation and minting of ``api_tokens`` rows.

Data access like ``portal/queries/``, kept with authentication so that
``queries`` never needs to know who a caller is.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from portal.auth.principal import Principal
from portal.monitoring import operation
from portal.queries._rows import Row, all_rows

_PRINCIPAL_FOR_TOKEN = text(
    """
    SELECT u.id, u.role, u.company_id
    FROM api_tokens t JOIN users u ON u.id = t.user_id
    WHERE t.token_hash = :token_hash
      AND t.revoked_at IS NULL
      AND (t.expires_at IS NULL OR t.expires_at > now())
    """
)

_REVOKE = text(
    "UPDATE api_tokens SET revoked_at = now() WHERE token_hash = :token_hash AND revoked_at IS NULL"
)

_INSERT_TOKEN = text(
    "INSERT INTO api_tokens (token_hash, user_id, expires_at) VALUES (:token_hash, :user_id, NULL)"
)


@operation("auth.principal_for_token")
async def principal_for_token(conn: AsyncConnection, *, token_hash: bytes) -> Principal | None:
    row = (await conn.execute(_PRINCIPAL_FOR_TOKEN, {"token_hash": token_hash})).first()
    if row is None:
        return None
    return Principal(user_id=row.id, role=row.role, company_id=row.company_id)


@operation("auth.revoke_token")
async def revoke_token(conn: AsyncConnection, *, token_hash: bytes) -> bool:
    result = await conn.execute(_REVOKE, {"token_hash": token_hash})
    return result.rowcount > 0


@operation("auth.store_token")
async def store_token(conn: AsyncConnection, *, token_hash: bytes, user_id: int) -> None:
    await conn.execute(_INSERT_TOKEN, {"token_hash": token_hash, "user_id": user_id})


# Served by idx_api_tokens_user. Never the digest: an admin sees that a token
# exists and its state, not something that could be matched against a leak.
TOKENS_FOR_USER = text(
    """
    SELECT created_at, expires_at, revoked_at FROM api_tokens
    WHERE user_id = :user_id
    ORDER BY created_at DESC
    LIMIT :limit
    """
)


@operation("auth.tokens_for_user")
async def tokens_for_user(conn: AsyncConnection, *, user_id: int, limit: int) -> list[Row]:
    """A user's newest tokens (without their digests), newest first."""
    return all_rows(await conn.execute(TOKENS_FOR_USER, {"user_id": user_id, "limit": limit}))
