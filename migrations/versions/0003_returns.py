"""returns

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "returns",
        sa.Column("shop_id", sa.Uuid(), nullable=False),
        sa.Column("shipment_id", sa.Uuid(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("items", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("goods_before", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("goods_after", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("delivery_before", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("delivery_after", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("total_after", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("payment_method", sa.String(length=20), nullable=False),
        sa.Column("paid", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("refund_due", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("refund_state", sa.String(length=16), nullable=False),
        sa.Column("refund_detail", sa.String(), nullable=True),
        sa.Column("expected_cash", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("cod_collected", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("anomalies", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("bitrix_state", sa.String(length=16), nullable=False),
        sa.Column("bitrix_order_price", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("comment", sa.String(), nullable=False),
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
            ["shipment_id"],
            ["shipments.id"],
            name=op.f("fk_returns_shipment_id_shipments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shops.id"], name=op.f("fk_returns_shop_id_shops"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_returns")),
        sa.UniqueConstraint("shipment_id", name=op.f("uq_returns_shipment_id")),
    )
    op.create_index(op.f("ix_returns_shop_id"), "returns", ["shop_id"], unique=False)
    op.add_column(
        "delivery_services",
        sa.Column(
            "refund_delivery_on_partial", sa.Boolean(), nullable=False, server_default=sa.false()
        ),
    )


def downgrade() -> None:
    op.drop_column("delivery_services", "refund_delivery_on_partial")
    op.drop_index(op.f("ix_returns_shop_id"), table_name="returns")
    op.drop_table("returns")
