"""pickup points and their syncs

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pickup_point_syncs",
        sa.Column("trigger", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("pages", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("total", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("added", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("updated", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("deactivated", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("error", sa.String(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pickup_point_syncs")),
    )
    op.create_index(
        "ix_pickup_point_syncs_state_finished_at",
        "pickup_point_syncs",
        ["state", "finished_at"],
        unique=False,
    )
    op.create_table(
        "pickup_points",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("city", sa.String(length=200), nullable=False),
        sa.Column("city_key", sa.String(length=200), nullable=False),
        sa.Column("address", sa.String(length=500), nullable=False),
        sa.Column("lat", sa.Double(), nullable=False),
        sa.Column("lon", sa.Double(), nullable=False),
        sa.Column("working_hours", sa.String(length=300), nullable=True),
        sa.Column("max_weight", sa.Integer(), nullable=True),
        sa.Column("max_length", sa.Integer(), nullable=True),
        sa.Column("max_width", sa.Integer(), nullable=True),
        sa.Column("max_height", sa.Integer(), nullable=True),
        sa.Column("side_max", sa.Integer(), nullable=True),
        sa.Column("side_mid", sa.Integer(), nullable=True),
        sa.Column("side_min", sa.Integer(), nullable=True),
        sa.Column(
            "cash_on_delivery", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
        sa.Column("card_payment", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column(
            "partial_acceptance", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("ozon_updated_at", sa.DateTime(timezone=True), nullable=True),
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
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pickup_points")),
    )
    op.create_index(
        "ix_pickup_points_active_city_key",
        "pickup_points",
        ["city_key"],
        unique=False,
        postgresql_where=sa.text("is_active"),
        postgresql_ops={"city_key": "varchar_pattern_ops"},
    )
    op.create_index(
        "ix_pickup_points_active_lat_lon",
        "pickup_points",
        ["lat", "lon"],
        unique=False,
        postgresql_where=sa.text("is_active"),
    )


def downgrade() -> None:
    op.drop_index(
        "ix_pickup_points_active_lat_lon",
        table_name="pickup_points",
        postgresql_where=sa.text("is_active"),
    )
    op.drop_index(
        "ix_pickup_points_active_city_key",
        table_name="pickup_points",
        postgresql_where=sa.text("is_active"),
        postgresql_ops={"city_key": "varchar_pattern_ops"},
    )
    op.drop_table("pickup_points")
    op.drop_index("ix_pickup_point_syncs_state_finished_at", table_name="pickup_point_syncs")
    op.drop_table("pickup_point_syncs")
