"""Shops and delivery services: create, read, change; secrets go in encrypted, come out masked."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import cast

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import Principal
from app.config import Settings
from app.crypto import SecretBox, hash_token, mask, mask_url, new_shop_token
from app.domain.carrier import CarrierCredentials, DeliveryType, Package
from app.domain.quotes import PricingRules, Rounding, Strategy
from app.domain.statuses import DEFAULT_STATUS_DEFS, bitrix_target
from app.errors import InvalidInput, NotFound
from app.logging import REDACTOR
from app.shops import schemas
from app.shops.models import DeliveryService, Shop
from app.shops.urls import resolved_url_problem


async def _check_bitrix_url(
    url: str | None, allow_local: bool, allowed_hosts: frozenset[str]
) -> None:
    if url is None:
        return
    problem = await resolved_url_problem(url, allow_local=allow_local, allowed_hosts=allowed_hosts)
    if problem:
        raise InvalidInput(problem, loc=["body", "bitrix_rest_url"])


@dataclass(frozen=True)
class BucketLimits:
    """A shop's client-side leaky bucket towards its Bitrix: burst, and drain per second."""

    rate_per_second: Decimal
    burst: int

    @classmethod
    def from_settings(cls, settings: Settings) -> BucketLimits:
        return cls(settings.bitrix_rate_per_second, settings.bitrix_burst)


def shop_out(shop: Shop, box: SecretBox) -> schemas.ShopOut:
    return schemas.ShopOut(
        id=shop.id,
        name=shop.name,
        bitrix_rest_url=mask_url(box.decrypt(shop.bitrix_rest_url_enc))
        if shop.bitrix_rest_url_enc
        else None,
        ozon_webhook_secrets=[cast(str, mask(s)) for s in webhook_secrets(shop, box)],
        bitrix_module=shop.bitrix_module,
        bitrix_rate_per_second=float(shop.bitrix_rate_per_second),
        bitrix_burst=shop.bitrix_burst,
        webhook_path=f"/webhooks/ozon-rocket/{shop.id}",
        created_at=shop.created_at,
        updated_at=shop.updated_at,
    )


def webhook_secrets(shop: Shop, box: SecretBox) -> list[str]:
    if not shop.ozon_webhook_secrets_enc:
        return []
    secrets: list[str] = json.loads(box.decrypt(shop.ozon_webhook_secrets_enc))
    for secret in secrets:
        REDACTOR.remember(secret)
    return secrets


def bitrix_rest_url(shop: Shop, box: SecretBox) -> str | None:
    if not shop.bitrix_rest_url_enc:
        return None
    url = box.decrypt(shop.bitrix_rest_url_enc)
    REDACTOR.remember(url)
    return url


def _encrypt_secrets(values: list[str], box: SecretBox) -> str | None:
    return box.encrypt(json.dumps(values)) if values else None


async def create_shop(
    session: AsyncSession,
    body: schemas.ShopCreate,
    box: SecretBox,
    *,
    allow_local: bool,
    allowed_hosts: frozenset[str] = frozenset(),
    default_bucket: BucketLimits,
) -> tuple[Shop, str]:
    """Returns the shop and its token; only the token's hash is stored.

    The shop's Bitrix bucket: the body's values, else `default_bucket` (the settings').
    """
    await _check_bitrix_url(body.bitrix_rest_url, allow_local, allowed_hosts)
    token = new_shop_token()
    shop = Shop(
        name=body.name,
        token_hash=hash_token(token),
        bitrix_rest_url_enc=box.encrypt(body.bitrix_rest_url) if body.bitrix_rest_url else None,
        ozon_webhook_secrets_enc=_encrypt_secrets(body.ozon_webhook_secrets, box),
        bitrix_module=body.bitrix_module,
        bitrix_rate_per_second=(
            default_bucket.rate_per_second
            if body.bitrix_rate_per_second is None
            else body.bitrix_rate_per_second
        ),
        bitrix_burst=default_bucket.burst if body.bitrix_burst is None else body.bitrix_burst,
    )
    session.add(shop)
    await session.flush()
    await session.refresh(shop)
    return shop, token


async def get_shop(session: AsyncSession, principal: Principal, shop_id: uuid.UUID) -> Shop:
    principal.require_shop(shop_id)
    shop = await session.get(Shop, shop_id)
    if shop is None:
        raise NotFound("shop not found")
    return shop


async def list_shops(session: AsyncSession, principal: Principal) -> list[Shop]:
    query = select(Shop).order_by(Shop.created_at)
    if not principal.is_admin:
        query = query.where(Shop.id == principal.shop_id)
    return list(await session.scalars(query))


async def update_shop(
    session: AsyncSession,
    shop: Shop,
    body: schemas.ShopUpdate,
    box: SecretBox,
    *,
    allow_local: bool,
    allowed_hosts: frozenset[str] = frozenset(),
) -> Shop:
    fields = body.model_fields_set
    if "name" in fields and body.name is not None:
        shop.name = body.name
    if "bitrix_rest_url" in fields:
        await _check_bitrix_url(body.bitrix_rest_url, allow_local, allowed_hosts)
        shop.bitrix_rest_url_enc = (
            box.encrypt(body.bitrix_rest_url) if body.bitrix_rest_url else None
        )
    if "ozon_webhook_secrets" in fields:
        shop.ozon_webhook_secrets_enc = _encrypt_secrets(body.ozon_webhook_secrets or [], box)
    if "bitrix_module" in fields and body.bitrix_module is not None:
        shop.bitrix_module = body.bitrix_module
    # The bucket's level stays: a lower burst only makes the next requests wait.
    if body.bitrix_rate_per_second is not None:
        shop.bitrix_rate_per_second = body.bitrix_rate_per_second
    if body.bitrix_burst is not None:
        shop.bitrix_burst = body.bitrix_burst
    await session.flush()
    await session.refresh(shop)
    return shop


async def put_delivery_service(
    session: AsyncSession,
    shop: Shop,
    bitrix_delivery_id: int,
    body: schemas.DeliveryServicePut,
    box: SecretBox,
) -> tuple[DeliveryService, bool]:
    """Create or replace; returns (service, created)."""
    service = await session.scalar(
        select(DeliveryService)
        .where(
            DeliveryService.shop_id == shop.id,
            DeliveryService.bitrix_delivery_id == bitrix_delivery_id,
        )
        .with_for_update()
    )
    created = service is None
    if service is None:
        service = DeliveryService(shop_id=shop.id, bitrix_delivery_id=bitrix_delivery_id, version=0)
        session.add(service)
    params, pricing = body.params, body.pricing
    service.ozon_api_key_enc = box.encrypt(params.OZON_API_KEY)
    service.seller_id = params.SELLER_ID
    service.default_warehouse_id = params.DEFAULT_WAREHOUSE_ID
    service.partial_accept = params.PARTIAL_ACCEPT
    service.option_strategy = pricing.strategy
    service.fixed_delivery_type = pricing.fixed_delivery_type
    service.markup_percent = pricing.markup_percent
    service.markup_fixed = pricing.markup_fixed
    service.free_delivery_from = pricing.free_delivery_from
    service.price_rounding = pricing.rounding
    service.fallback_price = pricing.fallback_price
    service.default_package = body.default_package.model_dump()
    service.status_map = {
        status: target.model_dump(exclude_none=True) for status, target in body.status_map.items()
    }
    service.refund_delivery_on_partial = body.partial_acceptance.refund_delivery
    service.version = (service.version or 0) + 1
    await session.flush()
    await session.refresh(service)
    return service, created


async def find_delivery_service(
    session: AsyncSession, principal: Principal, shop_id: uuid.UUID, bitrix_delivery_id: int
) -> DeliveryService:
    principal.require_shop(shop_id, "delivery service")
    service = await session.scalar(
        select(DeliveryService).where(
            DeliveryService.shop_id == shop_id,
            DeliveryService.bitrix_delivery_id == bitrix_delivery_id,
        )
    )
    if service is None:
        raise delivery_service_missing(bitrix_delivery_id)
    return service


def delivery_service_missing(bitrix_delivery_id: int) -> NotFound:
    return NotFound(
        f"Delivery service {bitrix_delivery_id} is not configured for this shop: "
        "save the Ozon Rocket delivery service in Bitrix (or PUT its settings) first."
    )


def delivery_service_out(service: DeliveryService, box: SecretBox) -> schemas.DeliveryServiceOut:
    return schemas.DeliveryServiceOut(
        shop_id=service.shop_id,
        bitrix_delivery_id=service.bitrix_delivery_id,
        params=schemas.DeliveryServiceParamsOut(
            OZON_API_KEY=cast(str, mask(box.decrypt(service.ozon_api_key_enc))),
            SELLER_ID=service.seller_id,
            DEFAULT_WAREHOUSE_ID=service.default_warehouse_id,
            PARTIAL_ACCEPT=service.partial_accept,
        ),
        pricing=schemas.PricingOut(
            strategy=cast(Strategy, service.option_strategy),
            fixed_delivery_type=cast(DeliveryType | None, service.fixed_delivery_type),
            markup_percent=service.markup_percent,
            markup_fixed=service.markup_fixed,
            free_delivery_from=service.free_delivery_from,
            rounding=cast(Rounding, service.price_rounding),
            fallback_price=service.fallback_price,
        ),
        default_package=schemas.Package(**service.default_package),
        status_map={
            status: schemas.StatusTarget(
                shipment_status=target.shipment_status, order_status=target.order_status
            )
            for status in DEFAULT_STATUS_DEFS
            for target in [bitrix_target(status, service.status_map)]
        },
        partial_acceptance=schemas.PartialAcceptanceSettings(
            refund_delivery=service.refund_delivery_on_partial
        ),
        version=service.version,
        created_at=service.created_at,
        updated_at=service.updated_at,
    )


@dataclass(frozen=True)
class DeliveryServiceConfig:
    """What calculation and shipments need of a delivery service, secrets decrypted."""

    id: uuid.UUID
    shop_id: uuid.UUID
    bitrix_delivery_id: int
    version: int
    credentials: CarrierCredentials
    warehouse_id: str
    partial_accept: bool
    rules: PricingRules
    fallback_price: Decimal | None
    default_package: Package
    # Ozon status -> Bitrix ids, the shop's overrides of statuses.DEFAULT_STATUS_DEFS.
    status_map: dict[str, dict[str, str | None]]


def delivery_service_config(service: DeliveryService, box: SecretBox) -> DeliveryServiceConfig:
    api_key = box.decrypt(service.ozon_api_key_enc)
    REDACTOR.remember(api_key)
    return DeliveryServiceConfig(
        id=service.id,
        shop_id=service.shop_id,
        bitrix_delivery_id=service.bitrix_delivery_id,
        version=service.version,
        credentials=CarrierCredentials(api_key=api_key, seller_id=service.seller_id),
        warehouse_id=service.default_warehouse_id,
        partial_accept=service.partial_accept,
        rules=PricingRules(
            strategy=cast(Strategy, service.option_strategy),
            fixed_delivery_type=cast(DeliveryType | None, service.fixed_delivery_type),
            markup_percent=service.markup_percent,
            markup_fixed=service.markup_fixed,
            free_delivery_from=service.free_delivery_from,
            rounding=cast(Rounding, service.price_rounding),
        ),
        fallback_price=service.fallback_price,
        default_package=Package(**service.default_package),
        status_map=service.status_map,
    )


async def reencrypt_secrets(session: AsyncSession, box: SecretBox) -> int:
    """Re-encrypt every stored secret under the first SECRET_KEY; returns how many.

    Run after putting a new key first: once it is done, the old key can be dropped.
    """
    count = 0
    for shop in await session.scalars(select(Shop).with_for_update()):
        if shop.bitrix_rest_url_enc:
            shop.bitrix_rest_url_enc = box.rotate(shop.bitrix_rest_url_enc)
            count += 1
        if shop.ozon_webhook_secrets_enc:
            shop.ozon_webhook_secrets_enc = box.rotate(shop.ozon_webhook_secrets_enc)
            count += 1
    for service in await session.scalars(select(DeliveryService).with_for_update()):
        service.ozon_api_key_enc = box.rotate(service.ozon_api_key_enc)
        count += 1
    await session.flush()
    return count
