"""The `make run` demo: a shop wired to the Ozon Rocket and Bitrix emulators mounted in-process."""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import get_settings
from app.crypto import SecretBox
from app.db import create_engine, create_session_factory
from app.shops import schemas, service
from app.shops.models import Shop

DEMO_DELIVERY_ID = 12
DEMO_SELLER_ID = "demo-seller"
# The Bitrix emulator's demo portal (BitrixSandboxConfig(seed_demo=True)).
DEMO_BITRIX_PATH = "/sandbox/bitrix/rest/1/demo0webhook0key/"


@dataclass(frozen=True)
class DemoShop:
    shop_id: str
    token: str
    webhook_secret: str


@dataclass(frozen=True)
class DemoWiring:
    """What create_app needs to connect the demo shop to the Ozon sandbox's webhooks."""

    shop: DemoShop
    base_url: str
    # Orders a shop creates walk on by themselves; `python -m app demo` steps its own faster.
    auto_advance_seconds: float | None = 60.0

    def register_webhook(self, ozon_sandbox: FastAPI) -> None:
        ozon_sandbox.state.sandbox.webhooks.register(
            DEMO_SELLER_ID,
            f"{self.base_url}/webhooks/ozon-rocket/{self.shop.shop_id}",
            [self.shop.webhook_secret],
        )


def ensure_demo_shop(
    database_url: str, box: SecretBox, state_file: Path, base_url: str
) -> DemoShop:
    """Reuse the demo shop recorded in var/ or create it (its token shows once, so we keep it);
    point it at this run's emulators."""
    demo = asyncio.run(_ensure(database_url, box, read_demo_shop(state_file), base_url))
    state_file.write_text(json.dumps(demo.__dict__))
    state_file.chmod(0o600)
    return demo


async def _ensure(
    database_url: str, box: SecretBox, known: DemoShop | None, base_url: str
) -> DemoShop:
    engine = create_engine(database_url, pool_size=1)
    try:
        async with create_session_factory(engine)() as session:
            shop = await session.get(Shop, uuid.UUID(known.shop_id)) if known else None
            if shop is None or known is None:
                demo = await _create(session, box)
                shop = await session.get_one(Shop, uuid.UUID(demo.shop_id))
            else:
                demo = known
            await service.update_shop(
                session,
                shop,
                schemas.ShopUpdate(
                    bitrix_rest_url=base_url + DEMO_BITRIX_PATH,
                    ozon_webhook_secrets=[demo.webhook_secret],
                    # The emulator's demo portal has our module: refunds go through it.
                    bitrix_module=True,
                ),
                box,
                allow_local=True,
            )
            await session.commit()
            return demo
    finally:
        await engine.dispose()


def read_demo_shop(path: Path) -> DemoShop | None:
    try:
        data = json.loads(path.read_text())
        return DemoShop(
            shop_id=data["shop_id"], token=data["token"], webhook_secret=data["webhook_secret"]
        )
    except (OSError, ValueError, KeyError):
        return None


async def _create(session: AsyncSession, box: SecretBox) -> DemoShop:
    secret = "whsec_demo_" + uuid.uuid4().hex[:16]
    shop, token = await service.create_shop(
        session,
        schemas.ShopCreate(name="Демо-магазин", ozon_webhook_secrets=[secret]),
        box,
        allow_local=True,
        default_bucket=service.BucketLimits.from_settings(get_settings()),
    )
    await service.put_delivery_service(
        session,
        shop,
        DEMO_DELIVERY_ID,
        schemas.DeliveryServicePut(
            params=schemas.DeliveryServiceParams(
                OZON_API_KEY="sandbox-demo-key",
                SELLER_ID=DEMO_SELLER_ID,
                DEFAULT_WAREHOUSE_ID="WH-1",
                PARTIAL_ACCEPT=True,
            ),
            pricing=schemas.Pricing(markup_percent=Decimal(10), rounding="ceil_10"),
        ),
        box,
    )
    return DemoShop(shop_id=str(shop.id), token=token, webhook_secret=secret)


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
