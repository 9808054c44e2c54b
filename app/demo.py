"""The `make run` demo: a ready shop and delivery service pointed at the sandbox."""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from app.crypto import SecretBox
from app.db import create_engine, create_session_factory
from app.shops import schemas, service
from app.shops.models import Shop

DEMO_DELIVERY_ID = 12


@dataclass(frozen=True)
class DemoShop:
    shop_id: str
    token: str


def ensure_demo_shop(database_url: str, box: SecretBox, state_file: Path) -> DemoShop:
    """Reuse the demo shop recorded in var/, or create it (its token shows once, so we keep it)."""
    demo = asyncio.run(_ensure(database_url, box, read_demo_shop(state_file)))
    state_file.write_text(json.dumps(demo.__dict__))
    state_file.chmod(0o600)
    return demo


async def _ensure(database_url: str, box: SecretBox, known: DemoShop | None) -> DemoShop:
    engine = create_engine(database_url, pool_size=1)
    try:
        async with create_session_factory(engine)() as session:
            if known is not None and await session.get(Shop, uuid.UUID(known.shop_id)) is not None:
                return known
            demo = await _create(session, box)
            await session.commit()
            return demo
    finally:
        await engine.dispose()


def read_demo_shop(path: Path) -> DemoShop | None:
    try:
        data = json.loads(path.read_text())
        return DemoShop(shop_id=data["shop_id"], token=data["token"])
    except (OSError, ValueError, KeyError):
        return None


async def _create(session: AsyncSession, box: SecretBox) -> DemoShop:
    shop, token = await service.create_shop(
        session,
        schemas.ShopCreate(
            name="Демо-магазин",
            ozon_webhook_secrets=["whsec_demo_" + uuid.uuid4().hex[:16]],
        ),
        box,
        allow_local=True,
    )
    await service.put_delivery_service(
        session,
        shop,
        DEMO_DELIVERY_ID,
        schemas.DeliveryServicePut(
            params=schemas.DeliveryServiceParams(
                OZON_API_KEY="sandbox-demo-key",
                SELLER_ID="demo-seller",
                DEFAULT_WAREHOUSE_ID="WH-1",
                PARTIAL_ACCEPT=True,
            ),
            pricing=schemas.Pricing(markup_percent=Decimal(10), rounding="ceil_10"),
        ),
        box,
    )
    return DemoShop(shop_id=str(shop.id), token=token)


def curl_example(base: str, demo: DemoShop) -> str:
    body = {
        "shop_id": demo.shop_id,
        "bitrix_delivery_id": DEMO_DELIVERY_ID,
        "delivery_type": "to_address",
        "address": {"city": "Москва", "street": "Тверская", "house": "7"},
        "packages": [{"weight": 1200, "length": 300, "width": 200, "height": 100}],
        "declared_value": 4990.00,
        "payment_method": "prepaid",
    }
    return (
        f"curl -s -X POST {base}/api/v1/calculate \\\n"
        f"  -H 'Authorization: Bearer {demo.token}' -H 'Content-Type: application/json' \\\n"
        f"  -d '{json.dumps(body, ensure_ascii=False)}'"
    )
