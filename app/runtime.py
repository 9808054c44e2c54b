"""The process's long-lived services, built once in the lifespan and hung on app.state."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.bitrix.client import BitrixRestClient
from app.calculate.bodies import ValidatedBodies
from app.calculate.cache import SharedTTLCache
from app.calculate.service import CachedQuote
from app.config import Settings
from app.crypto import SecretBox
from app.domain.carrier import Carrier
from app.metrics import Metrics
from app.shops.lookup import ShopLookup


@dataclass
class Runtime:
    request_sessions: asyncio.Semaphore
    settings: Settings
    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]
    secrets: SecretBox
    carrier: Carrier
    ozon_http: httpx.AsyncClient
    quote_cache: SharedTTLCache[CachedQuote]
    lookup: ShopLookup
    bitrix: BitrixRestClient
    bitrix_http: httpx.AsyncClient
    metrics: Metrics = field(default_factory=Metrics)
    calculate_bodies: ValidatedBodies = field(default_factory=ValidatedBodies)

    async def aclose(self) -> None:
        await self.ozon_http.aclose()
        await self.bitrix_http.aclose()
        await self.engine.dispose()
