"""A return: what comes back from a shipment, the money owed, and what Bitrix was told."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Numeric, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, Timestamps, UUIDPrimaryKey

MONEY = Numeric(12, 2)


class ShipmentReturn(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "returns"

    shop_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("shops.id", ondelete="CASCADE"), index=True
    )
    shipment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("shipments.id", ondelete="CASCADE"), unique=True
    )
    # expected (refused at the door) → received (Ozon reports `returned`) → closed
    state: Mapped[str] = mapped_column(String(16), default="expected")
    # [{bitrix_basket_item_id, sku, name, quantity, accepted, returned, price, returned_amount}]
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    goods_before: Mapped[Decimal] = mapped_column(MONEY)
    goods_after: Mapped[Decimal] = mapped_column(MONEY)
    delivery_before: Mapped[Decimal] = mapped_column(MONEY)
    delivery_after: Mapped[Decimal] = mapped_column(MONEY)
    total_after: Mapped[Decimal] = mapped_column(MONEY)
    payment_method: Mapped[str] = mapped_column(String(20))
    paid: Mapped[Decimal] = mapped_column(MONEY)
    refund_due: Mapped[Decimal] = mapped_column(MONEY)
    # not_needed | pending | done | inner_account | manual: "done" only when money moved
    refund_state: Mapped[str] = mapped_column(String(16))
    refund_detail: Mapped[str | None]
    expected_cash: Mapped[Decimal] = mapped_column(MONEY)
    cod_collected: Mapped[Decimal | None] = mapped_column(MONEY)
    # Why automation stopped (quantities that do not add up, cash differences, ...).
    anomalies: Mapped[list[str]] = mapped_column(JSONB, default=list)
    # not_applied | pending | applied | mismatch | manual
    bitrix_state: Mapped[str] = mapped_column(String(16), default="pending")
    bitrix_order_price: Mapped[Decimal | None] = mapped_column(MONEY)
    comment: Mapped[str]
