"""Shipments: one Bitrix shipment sent (at most once) as one Ozon order, its items and history."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import BigInteger, ForeignKey, Index, Numeric, String, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, Timestamps, UUIDPrimaryKey

if TYPE_CHECKING:
    from app.returns.models import ShipmentReturn

MONEY = Numeric(12, 2)


class Shipment(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "shipments"
    __table_args__ = (
        UniqueConstraint("shop_id", "bitrix_shipment_id"),
        UniqueConstraint("shop_id", "seller_order_number"),
        Index("ix_shipments_shop_id_ozon_order_id", "shop_id", "ozon_order_id"),
        Index("ix_shipments_shop_id_bitrix_order_id", "shop_id", "bitrix_order_id"),
        # The reconciler's scan: not final, not heard from for a while.
        Index(
            "ix_shipments_unsettled",
            "last_ozon_update_at",
            postgresql_where=text("status NOT IN ('delivered', 'returned', 'cancelled')"),
        ),
        # The reconciler's other scan: not confirmed by Ozon, oldest attempt first.
        Index("ix_shipments_pending", "updated_at", postgresql_where=text("ozon_order_id IS NULL")),
    )

    shop_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    delivery_service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("delivery_services.id"))
    bitrix_delivery_id: Mapped[int]
    bitrix_order_id: Mapped[int] = mapped_column(BigInteger)
    bitrix_shipment_id: Mapped[int] = mapped_column(BigInteger)
    seller_order_number: Mapped[str] = mapped_column(String(64))
    # sha256 of the canonical request last accepted for this shipment.
    request_hash: Mapped[str] = mapped_column(String(64))
    request: Mapped[dict[str, Any]] = mapped_column(JSONB)

    # null until Ozon confirmed the order; "pending" status means the same.
    ozon_order_id: Mapped[str | None] = mapped_column(String(64))
    tracking_number: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(32), default="pending")
    bitrix_status_id: Mapped[str | None] = mapped_column(String(2))

    delivery_type: Mapped[str] = mapped_column(String(20))
    option_id: Mapped[str | None] = mapped_column(String(100))
    pickup_point_id: Mapped[str | None] = mapped_column(String(64))
    payment_method: Mapped[str] = mapped_column(String(20))
    allow_partial_acceptance: Mapped[bool]
    declared_value: Mapped[Decimal] = mapped_column(MONEY)
    paid_amount: Mapped[Decimal] = mapped_column(MONEY)
    delivery_price: Mapped[Decimal | None] = mapped_column(MONEY)
    cod_collected: Mapped[Decimal | None] = mapped_column(MONEY)

    create_attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None]
    # How the last create attempt failed: "refused" (Ozon answered no, nothing was created) or
    # "unknown" (no usable answer: the order may exist at Ozon). The reconciler re-drives the
    # latter, never the former.
    last_error_kind: Mapped[str | None] = mapped_column(String(16))
    last_ozon_update_at: Mapped[datetime | None]

    # The items belong to the shipment: a corrected request replaces them (delete-orphan).
    items: Mapped[list[ShipmentItem]] = relationship(
        back_populates="shipment",
        order_by="ShipmentItem.position",
        lazy="selectin",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    history: Mapped[list[StatusChange]] = relationship(
        order_by="StatusChange.id", lazy="selectin", viewonly=True
    )
    return_record: Mapped[ShipmentReturn | None] = relationship(
        lazy="selectin", viewonly=True, uselist=False
    )


class ShipmentItem(Base):
    __tablename__ = "shipment_items"
    __table_args__ = (UniqueConstraint("shipment_id", "sku"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    shipment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("shipments.id", ondelete="CASCADE"))
    position: Mapped[int]
    bitrix_basket_item_id: Mapped[int] = mapped_column(BigInteger)
    sku: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(500))
    quantity: Mapped[int]
    price: Mapped[Decimal] = mapped_column(MONEY)
    declared_price: Mapped[Decimal] = mapped_column(MONEY)
    accepted_quantity: Mapped[int | None]
    returned_quantity: Mapped[int | None]

    shipment: Mapped[Shipment] = relationship(back_populates="items")


class ShipmentIdempotencyKey(Base):
    """An Idempotency-Key a shop sent, bound to its shipment and the body it first came with."""

    __tablename__ = "shipment_idempotency_keys"

    shop_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("shops.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    shipment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("shipments.id", ondelete="CASCADE"), index=True
    )
    # sha256 of the canonical body first sent with this key: another body is refused.
    request_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class StatusChange(Base):
    """Every status a shipment went through, with where we learnt it."""

    __tablename__ = "status_history"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    shipment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("shipments.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(32))
    previous_status: Mapped[str | None] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(
        String(20)
    )  # create | webhook | reconciler | refresh | cancel
    event_id: Mapped[str | None] = mapped_column(String(100))
    occurred_at: Mapped[datetime]
    recorded_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
