"""Who is calling: the operator (admin token) or one shop (its own token)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from app.errors import NotFound


@dataclass(frozen=True)
class Principal:
    shop_id: uuid.UUID | None  # None for the admin

    @property
    def is_admin(self) -> bool:
        return self.shop_id is None

    def can_see(self, shop_id: uuid.UUID) -> bool:
        return self.is_admin or self.shop_id == shop_id

    def require_shop(self, shop_id: uuid.UUID, what: str = "shop") -> None:
        """Another shop's objects answer 404: their existence is not ours to reveal."""
        if not self.can_see(shop_id):
            raise NotFound(f"{what} not found")
