"""The local copy of Ozon's pickup-point network and the log of its syncs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, Timestamps, UUIDPrimaryKey


class PickupPoint(Timestamps, Base):
    """One point as Ozon lists it; a point Ozon stops listing stays, inactive."""

    __tablename__ = "pickup_points"
    __table_args__ = (
        # Nearest-first search: a bounding box on lat (range) and lon (filtered in the index),
        # exact distances only for the rows inside it.
        Index("ix_pickup_points_active_lat_lon", "lat", "lon", postgresql_where=text("is_active")),
        # By city (equality) and the widget's city suggestions (prefix LIKE).
        Index(
            "ix_pickup_points_active_city_key",
            "city_key",
            postgresql_where=text("is_active"),
            postgresql_ops={"city_key": "varchar_pattern_ops"},
        ),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    type: Mapped[str] = mapped_column(String(16))  # pvz | locker
    name: Mapped[str] = mapped_column(String(300))
    city: Mapped[str] = mapped_column(String(200))
    # city lower-cased, ё → е, spaces and hyphens folded (app.pickup_points.fit.city_key).
    city_key: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(500))
    lat: Mapped[float]
    lon: Mapped[float]
    working_hours: Mapped[str | None] = mapped_column(String(300))
    max_weight: Mapped[int | None]  # grams
    max_length: Mapped[int | None]  # millimetres
    max_width: Mapped[int | None]
    max_height: Mapped[int | None]
    # The three size limits sorted longest first (NULL = no limit), so that a parcel's sorted
    # sides compare column by column.
    side_max: Mapped[int | None]
    side_mid: Mapped[int | None]
    side_min: Mapped[int | None]
    cash_on_delivery: Mapped[bool] = mapped_column(server_default=text("false"))
    card_payment: Mapped[bool] = mapped_column(server_default=text("false"))
    partial_acceptance: Mapped[bool] = mapped_column(server_default=text("false"))
    is_active: Mapped[bool] = mapped_column(server_default=text("true"))
    # Ozon's own stamp of the point's last change.
    ozon_updated_at: Mapped[datetime | None]


class PickupPointSync(UUIDPrimaryKey, Base):
    """One sync run: when, what started it, and what it changed or why it failed."""

    __tablename__ = "pickup_point_syncs"
    __table_args__ = (Index("ix_pickup_point_syncs_state_finished_at", "state", "finished_at"),)

    trigger: Mapped[str] = mapped_column(String(16))  # schedule | api | cli
    state: Mapped[str] = mapped_column(String(16))  # succeeded | failed
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime]
    pages: Mapped[int] = mapped_column(server_default=text("0"))
    total: Mapped[int] = mapped_column(server_default=text("0"))
    added: Mapped[int] = mapped_column(server_default=text("0"))
    updated: Mapped[int] = mapped_column(server_default=text("0"))
    deactivated: Mapped[int] = mapped_column(server_default=text("0"))
    error: Mapped[str | None]
