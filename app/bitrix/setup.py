"""`python -m app bitrix setup-statuses`: a shop's Bitrix gets every status the bridge pushes."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from app.bitrix.client import BitrixRestClient, build_bitrix_http_client
from app.bitrix.status_setup import SetupReport, ensure_delivery_statuses
from app.config import Settings
from app.crypto import SecretBox
from app.db import create_engine, create_session_factory
from app.domain.statuses import DEFAULT_STATUS_DEFS, BitrixStatusDef, bitrix_target
from app.shops.models import DeliveryService, Shop
from app.shops.service import bitrix_rest_url


def wanted_statuses(status_maps: list[dict[str, dict[str, str | None]]]) -> list[BitrixStatusDef]:
    """The default statuses, plus any id a delivery service maps an Ozon status to instead."""
    wanted = list(DEFAULT_STATUS_DEFS.values())
    for overrides in status_maps:
        for ozon_status, default in DEFAULT_STATUS_DEFS.items():
            target = bitrix_target(ozon_status, overrides).shipment_status
            if target != default.id:
                wanted.append(BitrixStatusDef(target, default.name_ru, default.name_en))
    return wanted


async def setup_shop_statuses(settings: Settings, shop_id: uuid.UUID) -> SetupReport:
    if settings.secret_key is None or settings.database_url is None:
        raise RuntimeError("SECRET_KEY and the database are needed")
    box = SecretBox.from_setting(settings.secret_key.get_secret_value())
    engine = create_engine(settings.database_url, pool_size=1)
    try:
        async with create_session_factory(engine)() as session:
            shop = await session.get(Shop, shop_id)
            if shop is None:
                raise RuntimeError(f"shop {shop_id} not found")
            url = bitrix_rest_url(shop, box)
            maps = list(
                await session.scalars(
                    select(DeliveryService.status_map).where(DeliveryService.shop_id == shop_id)
                )
            )
    finally:
        await engine.dispose()
    if url is None:
        raise RuntimeError("the shop has no bitrix_rest_url: PATCH it first")
    async with build_bitrix_http_client(settings) as http:
        client = BitrixRestClient(http, call_deadline=settings.bitrix_call_deadline)
        return await ensure_delivery_statuses(client, url, wanted_statuses(maps))
