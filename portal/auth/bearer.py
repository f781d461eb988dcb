"""Authentication of a bearer token: the one path the routes and the response cache share.

The cache must authenticate before it serves a stored response (a revoked
token gets its 401, never a body), and it must reach the same verdict as the
route dependency would, so both call :func:`authenticate`.
"""

from __future__ import annotations

from fastapi.security.utils import get_authorization_scheme_param
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.exceptions import HTTPException

from portal.auth.cache import TokenCache
from portal.auth.principal import Principal
from portal.auth.store import principal_for_token
from portal.auth.tokens import hash_token
from portal.deadlines import within
from portal.monitoring import bind_user

CHALLENGE = {"WWW-Authenticate": "Bearer"}


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, as HTTPBearer parses it."""
    scheme, token = get_authorization_scheme_param(authorization)
    if not (authorization and scheme and token) or scheme.lower() != "bearer":
        return None
    return token


async def principal_for_bearer(
    tokens: TokenCache, engine: AsyncEngine, token: str | None, deadline: float | None = None
) -> Principal:
    """The caller owning ``token``; 401 if there is none, unknown or revoked.

    Known tokens come from the in-process cache, so an authenticated request
    does not cost a database round trip just to say who is calling. An unknown
    one is looked up by ``deadline`` (event-loop time; ``TimeoutError`` after):
    the cache layer waits outside the request deadline's own layer.
    """
    if token is None:
        raise HTTPException(401, "Missing bearer token (Authorization: Bearer <token>).", CHALLENGE)
    token_hash = hash_token(token)
    found, principal = tokens.get(token_hash)
    if not found:
        lookup = _look_up(engine, token_hash)
        principal = await (lookup if deadline is None else within(deadline, lookup))
        tokens.put(token_hash, principal)
    if principal is None:
        raise HTTPException(401, "Invalid, expired or revoked token.", CHALLENGE)
    bind_user(principal.user_id)  # slow-statement records name the user
    return principal


async def _look_up(engine: AsyncEngine, token_hash: bytes) -> Principal | None:
    async with engine.connect() as conn:
        return await principal_for_token(conn, token_hash=token_hash)


async def authenticate(
    tokens: TokenCache,
    engine: AsyncEngine,
    authorization: str | None,
    deadline: float | None = None,
) -> Principal:
    """The caller of a request with this ``Authorization`` header value (or 401)."""
    return await principal_for_bearer(tokens, engine, bearer_token(authorization), deadline)
