"""idempotency keys in their own table; how the last create attempt failed; pending index

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A shipment can be posted with several keys (or first without one): each key is bound to
    # the body it first came with, so it cannot be reused for another shipment.
    op.create_table(
        "shipment_idempotency_keys",
        sa.Column("shop_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("shipment_id", sa.Uuid(), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["shipment_id"],
            ["shipments.id"],
            name=op.f("fk_shipment_idempotency_keys_shipment_id_shipments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"],
            ["shops.id"],
            name=op.f("fk_shipment_idempotency_keys_shop_id_shops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("shop_id", "key", name=op.f("pk_shipment_idempotency_keys")),
    )
    op.create_index(
        op.f("ix_shipment_idempotency_keys_shipment_id"),
        "shipment_idempotency_keys",
        ["shipment_id"],
        unique=False,
    )
    op.execute(
        "INSERT INTO shipment_idempotency_keys (shop_id, key, shipment_id, request_hash) "
        "SELECT shop_id, idempotency_key, id, request_hash FROM shipments "
        "WHERE idempotency_key IS NOT NULL"
    )
    op.drop_index(
        "uq_shipments_shop_id_idempotency_key",
        table_name="shipments",
        postgresql_where=sa.text("idempotency_key IS NOT NULL"),
    )
    op.drop_column("shipments", "idempotency_key")

    op.add_column("shipments", sa.Column("last_error_kind", sa.String(length=16), nullable=True))
    # Rows from before: the kind read from the messages create_shipment stored.
    op.execute(
        "UPDATE shipments SET last_error_kind = CASE "
        "WHEN last_error LIKE 'Ozon unavailable%' THEN 'unknown' ELSE 'refused' END "
        "WHERE ozon_order_id IS NULL AND last_error IS NOT NULL"
    )
    op.create_index(
        "ix_shipments_pending",
        "shipments",
        ["updated_at"],
        unique=False,
        postgresql_where=sa.text("ozon_order_id IS NULL"),
    )


def downgrade() -> None:
    op.drop_index(
        "ix_shipments_pending",
        table_name="shipments",
        postgresql_where=sa.text("ozon_order_id IS NULL"),
    )
    op.drop_column("shipments", "last_error_kind")
    op.add_column("shipments", sa.Column("idempotency_key", sa.String(length=200), nullable=True))
    # One key per shipment fits the old column: the first one sent.
    op.execute(
        "UPDATE shipments SET idempotency_key = k.key FROM ("
        "SELECT DISTINCT ON (shipment_id) shipment_id, key FROM shipment_idempotency_keys "
        "ORDER BY shipment_id, created_at, key) AS k WHERE k.shipment_id = shipments.id"
    )
    op.create_index(
        "uq_shipments_shop_id_idempotency_key",
        "shipments",
        ["shop_id", "idempotency_key"],
        unique=True,
        postgresql_where=sa.text("idempotency_key IS NOT NULL"),
    )
    op.drop_index(
        op.f("ix_shipment_idempotency_keys_shipment_id"), table_name="shipment_idempotency_keys"
    )
    op.drop_table("shipment_idempotency_keys")
