"""Hot-path lookups (token → shop, delivery-service config) with a short in-process TTL.

A checkout recalculates many times a minute; these keep calculate off the database. A change
made through this process is seen at once (invalidate); other processes see it within the TTL.
"""

from __future__ import annotations

import uuid

from cachetools import TTLCache
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.crypto import SecretBox, hash_token
from app.errors import NotFound
from app.shops.models import DeliveryService, Shop
from app.shops.service import DeliveryServiceConfig, delivery_service_config

_MISSING = object()


class ShopLookup:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        box: SecretBox,
        *,
        ttl: float = 5.0,
        maxsize: int = 10_000,
    ) -> None:
        self._sessions = session_factory
        self._box = box
        self._tokens: TTLCache[str, uuid.UUID | None] = TTLCache(maxsize=maxsize, ttl=ttl)
        self._configs: TTLCache[tuple[uuid.UUID, int], DeliveryServiceConfig] = TTLCache(
            maxsize=maxsize, ttl=ttl
        )

    async def shop_for_token(self, token: str) -> uuid.UUID | None:
        digest = hash_token(token)
        found = self._tokens.get(digest, _MISSING)
        if found is not _MISSING:
            return found  # type: ignore[return-value]
        async with self._sessions() as session:
            shop_id = await session.scalar(select(Shop.id).where(Shop.token_hash == digest))
        self._tokens[digest] = shop_id
        return shop_id

    async def delivery_service(
        self, shop_id: uuid.UUID, bitrix_delivery_id: int
    ) -> DeliveryServiceConfig:
        key = (shop_id, bitrix_delivery_id)
        config = self._configs.get(key)
        if config is not None:
            return config
        async with self._sessions() as session:
            service = await session.scalar(
                select(DeliveryService).where(
                    DeliveryService.shop_id == shop_id,
                    DeliveryService.bitrix_delivery_id == bitrix_delivery_id,
                )
            )
        if service is None:
            raise NotFound(
                f"Delivery service {bitrix_delivery_id} is not configured for this shop: "
                "save the Ozon Rocket delivery service in Bitrix (or PUT its settings) first."
            )
        config = delivery_service_config(service, self._box)
        self._configs[key] = config
        return config

    def invalidate(self, shop_id: uuid.UUID, bitrix_delivery_id: int) -> None:
        self._configs.pop((shop_id, bitrix_delivery_id), None)
