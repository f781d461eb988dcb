"""Who is calling: the authenticated user as the routes see it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Role = Literal["buyer", "admin"]


@dataclass(frozen=True, slots=True)
class Principal:
    user_id: int
    role: Role
    company_id: int

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"
