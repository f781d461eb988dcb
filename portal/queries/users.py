"""User profiles, and the lookups admins need: by e-mail, by company."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from portal.monitoring import operation
from portal.queries._rows import Row, all_rows, one_row

_PROFILE = text(
    """
    SELECT u.id, u.email, u.name, u.role, u.created_at,
           c.id AS company_id, c.name AS company_name,
           r.id AS region_id, r.code AS region_code
    FROM users u
    JOIN companies c ON c.id = u.company_id
    JOIN regions r ON r.id = c.region_id
    WHERE u.id = :user_id
    """
)


@operation("users.profile")
async def profile(conn: AsyncConnection, *, user_id: int) -> Row | None:
    return one_row(await conn.execute(_PROFILE, {"user_id": user_id}))


# Served by idx_users_email; the caller normalises the address, the column
# stays bare so the index applies.
USER_BY_EMAIL = text(
    "SELECT id, company_id, email, name, role, created_at FROM users WHERE email = :email"
    " ORDER BY id LIMIT 1"
)


@operation("users.by_email")
async def user_by_email(conn: AsyncConnection, *, email: str) -> Row | None:
    return one_row(await conn.execute(USER_BY_EMAIL, {"email": email}))


# Keyset on id within a company: idx_users_company (company_id, id) returns the
# page in order, however large the company.
USERS_FOR_COMPANY = text(
    """
    SELECT id, company_id, email, name, role, created_at FROM users
    WHERE company_id = :company_id AND id > :after_id
    ORDER BY id
    LIMIT :limit
    """
)


@operation("users.for_company")
async def users_for_company(
    conn: AsyncConnection, *, company_id: int, limit: int, after_id: int = 0
) -> list[Row]:
    """One page of a company's users in id order, those after ``after_id``."""
    params = {"company_id": company_id, "after_id": after_id, "limit": limit}
    return all_rows(await conn.execute(USERS_FOR_COMPANY, params))


_COMPANY_EXISTS = text("SELECT EXISTS (SELECT 1 FROM companies WHERE id = :id)")


@operation("users.company_exists")
async def company_exists(conn: AsyncConnection, *, company_id: int) -> bool:
    return bool(await conn.scalar(_COMPANY_EXISTS, {"id": company_id}))
