"""Each shop's Bitrix rate limit and pause, kept in PostgreSQL so all workers share them."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

# One statement: drain the bucket for the time elapsed, then take a slot if it fits. Runs in its
# own short transaction so that concurrent workers see each other's slots at once.
_TAKE_SLOT = text(
    """
    WITH now AS (SELECT COALESCE(CAST(:now AS timestamptz), clock_timestamp()) AS ts),
    cur AS (
        SELECT s.id,
               GREATEST(0, s.bitrix_bucket_level
                   - GREATEST(0, COALESCE(EXTRACT(EPOCH FROM (now.ts - s.bitrix_bucket_at)), 0))
                     * s.bitrix_rate_per_second) AS level,
               s.bitrix_burst AS burst,
               s.bitrix_rate_per_second AS rate,
               now.ts AS ts
        FROM shops s, now WHERE s.id = :shop_id
        FOR UPDATE OF s
    ),
    taken AS (
        UPDATE shops SET bitrix_bucket_level = cur.level + 1, bitrix_bucket_at = cur.ts
        FROM cur WHERE shops.id = cur.id AND cur.level + 1 <= cur.burst
        RETURNING shops.id
    )
    SELECT (SELECT count(*) FROM taken) AS taken, cur.level, cur.burst, cur.rate FROM cur
    """
)


async def take_slot(
    engine: AsyncEngine, shop_id: uuid.UUID, *, now: datetime | None = None
) -> float:
    """0 when a request may go now (the slot is taken), else the seconds to wait for one.

    The bucket holds the shop's `bitrix_burst` requests and drains `bitrix_rate_per_second`.
    `now` replaces the database's clock (tests); a clock going backwards drains nothing.
    """
    async with engine.begin() as conn:
        row = (await conn.execute(_TAKE_SLOT, {"shop_id": shop_id, "now": now})).one_or_none()
    if row is None:
        return 0.0
    if row.taken:
        return 0.0
    return max(0.0, (float(row.level) + 1 - float(row.burst)) / float(row.rate))


async def pause_shop(engine: AsyncEngine, shop_id: uuid.UUID, seconds: float) -> datetime:
    """The whole shop waits (503 QUERY_LIMIT_EXCEEDED, 429, or Bitrix down); never shortens."""
    async with engine.begin() as conn:
        until: datetime = (
            await conn.execute(
                text(
                    """
                    UPDATE shops SET bitrix_paused_until = GREATEST(
                        COALESCE(bitrix_paused_until, clock_timestamp()),
                        clock_timestamp() + :pause)
                    WHERE id = :shop_id RETURNING bitrix_paused_until
                    """
                ),
                {"shop_id": shop_id, "pause": timedelta(seconds=seconds)},
            )
        ).scalar_one()
    return until
