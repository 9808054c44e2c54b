"""shipments webhooks outbox

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "webhook_events",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("shop_id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.String(length=100), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=True),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "received_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["shop_id"],
            ["shops.id"],
            name=op.f("fk_webhook_events_shop_id_shops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_events")),
        sa.UniqueConstraint("shop_id", "event_id", name=op.f("uq_webhook_events_shop_id_event_id")),
    )
    op.create_table(
        "shipments",
        sa.Column("shop_id", sa.Uuid(), nullable=False),
        sa.Column("delivery_service_id", sa.Uuid(), nullable=False),
        sa.Column("bitrix_delivery_id", sa.Integer(), nullable=False),
        sa.Column("bitrix_order_id", sa.BigInteger(), nullable=False),
        sa.Column("bitrix_shipment_id", sa.BigInteger(), nullable=False),
        sa.Column("seller_order_number", sa.String(length=64), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=True),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("request", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("ozon_order_id", sa.String(length=64), nullable=True),
        sa.Column("tracking_number", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("bitrix_status_id", sa.String(length=2), nullable=True),
        sa.Column("delivery_type", sa.String(length=20), nullable=False),
        sa.Column("option_id", sa.String(length=100), nullable=True),
        sa.Column("pickup_point_id", sa.String(length=64), nullable=True),
        sa.Column("payment_method", sa.String(length=20), nullable=False),
        sa.Column("allow_partial_acceptance", sa.Boolean(), nullable=False),
        sa.Column("declared_value", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("paid_amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("delivery_price", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("cod_collected", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("create_attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(), nullable=True),
        sa.Column("last_ozon_update_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["delivery_service_id"],
            ["delivery_services.id"],
            name=op.f("fk_shipments_delivery_service_id_delivery_services"),
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shops.id"], name=op.f("fk_shipments_shop_id_shops"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipments")),
        sa.UniqueConstraint(
            "shop_id", "bitrix_shipment_id", name=op.f("uq_shipments_shop_id_bitrix_shipment_id")
        ),
        sa.UniqueConstraint(
            "shop_id", "seller_order_number", name=op.f("uq_shipments_shop_id_seller_order_number")
        ),
    )
    op.create_index(
        "ix_shipments_shop_id_bitrix_order_id",
        "shipments",
        ["shop_id", "bitrix_order_id"],
        unique=False,
    )
    op.create_index(
        "ix_shipments_shop_id_ozon_order_id",
        "shipments",
        ["shop_id", "ozon_order_id"],
        unique=False,
    )
    op.create_index(
        "ix_shipments_unsettled",
        "shipments",
        ["last_ozon_update_at"],
        unique=False,
        postgresql_where=sa.text("status NOT IN ('delivered', 'returned', 'cancelled')"),
    )
    op.create_index(
        "uq_shipments_shop_id_idempotency_key",
        "shipments",
        ["shop_id", "idempotency_key"],
        unique=True,
        postgresql_where=sa.text("idempotency_key IS NOT NULL"),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("shop_id", sa.Uuid(), nullable=False),
        sa.Column("shipment_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column(
            "next_attempt_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("last_error", sa.String(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("result", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.ForeignKeyConstraint(
            ["shipment_id"],
            ["shipments.id"],
            name=op.f("fk_outbox_shipment_id_shipments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shops.id"], name=op.f("fk_outbox_shop_id_shops"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
    )
    op.create_index(
        "ix_outbox_due",
        "outbox",
        ["next_attempt_at", "id"],
        unique=False,
        postgresql_where=sa.text("state = 'pending'"),
    )
    op.create_index("ix_outbox_shipment_id_id", "outbox", ["shipment_id", "id"], unique=False)
    op.create_table(
        "shipment_items",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("shipment_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("bitrix_basket_item_id", sa.BigInteger(), nullable=False),
        sa.Column("sku", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("price", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("declared_price", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("accepted_quantity", sa.Integer(), nullable=True),
        sa.Column("returned_quantity", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["shipment_id"],
            ["shipments.id"],
            name=op.f("fk_shipment_items_shipment_id_shipments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipment_items")),
        sa.UniqueConstraint("shipment_id", "sku", name=op.f("uq_shipment_items_shipment_id_sku")),
    )
    op.create_table(
        "status_history",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("shipment_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("previous_status", sa.String(length=32), nullable=True),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("event_id", sa.String(length=100), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "recorded_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["shipment_id"],
            ["shipments.id"],
            name=op.f("fk_status_history_shipment_id_shipments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_history")),
    )
    op.create_index(
        op.f("ix_status_history_shipment_id"), "status_history", ["shipment_id"], unique=False
    )
    op.add_column(
        "shops",
        sa.Column(
            "bitrix_rate_per_second",
            sa.Numeric(precision=6, scale=2),
            nullable=False,
            server_default="1.9",
        ),
    )
    op.add_column(
        "shops", sa.Column("bitrix_burst", sa.Integer(), nullable=False, server_default="45")
    )
    op.add_column(
        "shops", sa.Column("bitrix_bucket_level", sa.Double(), nullable=False, server_default="0")
    )
    op.add_column("shops", sa.Column("bitrix_bucket_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "shops", sa.Column("bitrix_paused_until", sa.DateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    op.drop_column("shops", "bitrix_paused_until")
    op.drop_column("shops", "bitrix_bucket_at")
    op.drop_column("shops", "bitrix_bucket_level")
    op.drop_column("shops", "bitrix_burst")
    op.drop_column("shops", "bitrix_rate_per_second")
    op.drop_index(op.f("ix_status_history_shipment_id"), table_name="status_history")
    op.drop_table("status_history")
    op.drop_table("shipment_items")
    op.drop_index("ix_outbox_shipment_id_id", table_name="outbox")
    op.drop_index(
        "ix_outbox_due", table_name="outbox", postgresql_where=sa.text("state = 'pending'")
    )
    op.drop_table("outbox")
    op.drop_index(
        "uq_shipments_shop_id_idempotency_key",
        table_name="shipments",
        postgresql_where=sa.text("idempotency_key IS NOT NULL"),
    )
    op.drop_index(
        "ix_shipments_unsettled",
        table_name="shipments",
        postgresql_where=sa.text("status NOT IN ('delivered', 'returned', 'cancelled')"),
    )
    op.drop_index("ix_shipments_shop_id_ozon_order_id", table_name="shipments")
    op.drop_index("ix_shipments_shop_id_bitrix_order_id", table_name="shipments")
    op.drop_table("shipments")
    op.drop_table("webhook_events")
