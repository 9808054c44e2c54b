"""Hot-path lookups (token → shop, delivery-service config, webhook secrets) with a short TTL.

A checkout recalculates many times a minute and Ozon sends bursts of webhooks; these keep both
off the database. A change
made through this process is seen at once (invalidate); other processes see it within the TTL.
When an entry expires under load, the requests that miss it together share one query.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from cachetools import TTLCache
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.crypto import SecretBox, hash_token
from app.shops.models import DeliveryService, Shop
from app.shops.service import (
    DeliveryServiceConfig,
    delivery_service_config,
    delivery_service_missing,
    webhook_secrets,
)

_MISSING = object()

K = TypeVar("K")
V = TypeVar("V")
ConfigKey = tuple[uuid.UUID, int]


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
        self._configs: TTLCache[ConfigKey, DeliveryServiceConfig] = TTLCache(
            maxsize=maxsize, ttl=ttl
        )
        self._secrets: TTLCache[uuid.UUID, tuple[str, ...]] = TTLCache(maxsize=maxsize, ttl=ttl)
        self._token_reads: dict[str, asyncio.Task[uuid.UUID | None]] = {}
        self._secret_reads: dict[uuid.UUID, asyncio.Task[tuple[str, ...]]] = {}
        self._config_reads: dict[ConfigKey, asyncio.Task[DeliveryServiceConfig | None]] = {}

    async def shop_for_token(self, token: str) -> uuid.UUID | None:
        digest = hash_token(token)
        found = self._tokens.get(digest, _MISSING)
        if found is not _MISSING:
            return found  # type: ignore[return-value]
        return await _shared(self._token_reads, digest, self._read_shop_id)

    async def delivery_service(
        self, shop_id: uuid.UUID, bitrix_delivery_id: int
    ) -> DeliveryServiceConfig:
        key = (shop_id, bitrix_delivery_id)
        config = self._configs.get(key)
        if config is None:
            config = await _shared(self._config_reads, key, self._read_config)
        if config is None:
            raise delivery_service_missing(bitrix_delivery_id)
        return config

    async def webhook_secrets(self, shop_id: uuid.UUID) -> tuple[str, ...]:
        """The shop's webhook signing secrets, decrypted; none for an unknown shop."""
        found = self._secrets.get(shop_id)
        if found is not None:
            return found
        return await _shared(self._secret_reads, shop_id, self._read_secrets)

    def invalidate_shop(self, shop_id: uuid.UUID) -> None:
        """After a shop changed (its webhook secrets): this process verifies with the new ones."""
        self._secrets.pop(shop_id, None)
        self._secret_reads.pop(shop_id, None)

    def invalidate(self, shop_id: uuid.UUID, bitrix_delivery_id: int) -> None:
        key = (shop_id, bitrix_delivery_id)
        self._configs.pop(key, None)
        # A read begun before the change may return the old settings: later callers start anew,
        # and that read does not cache what it found (see _read_config).
        self._config_reads.pop(key, None)

    async def _read_shop_id(self, digest: str) -> uuid.UUID | None:
        async with self._sessions() as session:
            shop_id = await session.scalar(select(Shop.id).where(Shop.token_hash == digest))
        self._tokens[digest] = shop_id
        return shop_id

    async def _read_secrets(self, shop_id: uuid.UUID) -> tuple[str, ...]:
        async with self._sessions() as session:
            shop = await session.get(Shop, shop_id)
        secrets = tuple(webhook_secrets(shop, self._box)) if shop is not None else ()
        if self._secret_reads.get(shop_id) is asyncio.current_task():
            self._secrets[shop_id] = secrets
        return secrets

    async def _read_config(self, key: ConfigKey) -> DeliveryServiceConfig | None:
        shop_id, bitrix_delivery_id = key
        async with self._sessions() as session:
            service = await session.scalar(
                select(DeliveryService).where(
                    DeliveryService.shop_id == shop_id,
                    DeliveryService.bitrix_delivery_id == bitrix_delivery_id,
                )
            )
        if service is None:
            return None
        config = delivery_service_config(service, self._box)
        if self._config_reads.get(key) is asyncio.current_task():
            self._configs[key] = config
        return config


async def _shared(
    reads: dict[K, asyncio.Task[V]], key: K, read: Callable[[K], Coroutine[Any, Any, V]]
) -> V:
    """read(key), or the same read another caller already started for that key.

    Each caller keeps its own cancellation: one giving up does not cancel the read (shield).
    """
    task = reads.get(key)
    if task is None:
        task = asyncio.create_task(read(key))
        reads[key] = task
        task.add_done_callback(lambda done: _settled(reads, key, done))
    return await asyncio.shield(task)


def _settled(reads: dict[K, asyncio.Task[V]], key: K, task: asyncio.Task[V]) -> None:
    if reads.get(key) is task:
        del reads[key]
    if not task.cancelled():
        # Every caller may have given up; the failure is theirs to see, not the loop's to log.
        task.exception()
