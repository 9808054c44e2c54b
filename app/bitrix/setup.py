"""Setting a shop's Bitrix up for the bridge: every delivery status the bridge pushes exists."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.bitrix.status_setup import ListingBitrixClient, SetupReport, ensure_delivery_statuses
from app.crypto import SecretBox
from app.domain.statuses import DEFAULT_STATUS_DEFS, BitrixStatusDef, bitrix_target
from app.errors import Conflict
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


async def setup_shop_statuses(
    session: AsyncSession, shop: Shop, box: SecretBox, client: ListingBitrixClient
) -> SetupReport:
    url = bitrix_rest_url(shop, box)
    if url is None:
        raise Conflict("The shop has no bitrix_rest_url: PATCH it with the inbound webhook first.")
    maps = list(
        await session.scalars(
            select(DeliveryService.status_map).where(DeliveryService.shop_id == shop.id)
        )
    )
    return await ensure_delivery_statuses(client, url, wanted_statuses(maps))
