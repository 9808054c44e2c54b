"""Shops and the settings of their Bitrix delivery services."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, Timestamps, UUIDPrimaryKey

MONEY = Numeric(12, 2)


class Shop(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "shops"

    name: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Encrypted with app.crypto.SecretBox: the URL itself carries the Bitrix webhook secret.
    bitrix_rest_url_enc: Mapped[str | None]
    # Encrypted JSON list; two entries while the shop rotates its Ozon signing secret.
    ozon_webhook_secrets_enc: Mapped[str | None]
    bitrix_module: Mapped[bool] = mapped_column(default=False)
    # Client-side leaky bucket for the shop's Bitrix REST, just under Bitrix's 50 burst / 2 per
    # second; its level lives here so that every worker process shares it.
    bitrix_rate_per_second: Mapped[Decimal] = mapped_column(Numeric(6, 2), default=Decimal("1.9"))
    bitrix_burst: Mapped[int] = mapped_column(default=45)
    bitrix_bucket_level: Mapped[float] = mapped_column(default=0.0)
    bitrix_bucket_at: Mapped[datetime | None]
    # Set on 503 QUERY_LIMIT_EXCEEDED / 429 OPERATION_TIME_LIMIT / Bitrix down: the shop waits.
    bitrix_paused_until: Mapped[datetime | None]


class DeliveryService(UUIDPrimaryKey, Timestamps, Base):
    """One Bitrix delivery service (its handler's CONFIG) as the bridge needs it."""

    __tablename__ = "delivery_services"
    __table_args__ = (UniqueConstraint("shop_id", "bitrix_delivery_id"),)

    shop_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    bitrix_delivery_id: Mapped[int]
    ozon_api_key_enc: Mapped[str]
    seller_id: Mapped[str] = mapped_column(String(100))
    default_warehouse_id: Mapped[str] = mapped_column(String(100))
    partial_accept: Mapped[bool]
    # How calculate picks and prices an option (app.domain.pricing).
    option_strategy: Mapped[str] = mapped_column(String(20), default="cheapest")
    fixed_delivery_type: Mapped[str | None] = mapped_column(String(20))
    markup_percent: Mapped[Decimal] = mapped_column(Numeric(7, 2), default=Decimal("0"))
    markup_fixed: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    free_delivery_from: Mapped[Decimal | None] = mapped_column(MONEY)
    price_rounding: Mapped[str] = mapped_column(String(20), default="none")
    fallback_price: Mapped[Decimal | None] = mapped_column(MONEY)
    # Used when the shop sends no packages: grams and millimetres.
    default_package: Mapped[dict[str, int]] = mapped_column(JSONB)
    # Ozon status -> Bitrix shipment (and optional order) status ids; missing keys use defaults.
    status_map: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    # Partial acceptance: does the buyer get the delivery price back when refusing part?
    refund_delivery_on_partial: Mapped[bool] = mapped_column(default=False)
    # Bumped on every change; part of the calculate cache key.
    version: Mapped[int] = mapped_column(default=1)
