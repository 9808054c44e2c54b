"""Webhooks can be lost for good: poll Ozon for shipments that went quiet, apply what it says;
send again the creates whose outcome was never learnt."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy import exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.domain import statuses
from app.domain.carrier import Carrier, CarrierError
from app.errors import BridgeError
from app.returns import service as returns
from app.returns.models import ShipmentReturn
from app.shipments.lifecycle import record_outcomes
from app.shipments.models import Shipment
from app.shipments.service import apply_order_state, redrivable, resend_pending
from app.shops.lookup import ShopLookup
from app.shops.models import DeliveryService

log = structlog.get_logger(__name__)


class Reconciler:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        carrier: Carrier,
        lookup: ShopLookup,
        *,
        stale_after: timedelta,
        batch: int,
        pending_after: timedelta | None = None,
    ) -> None:
        self._sessions = sessions
        self._carrier = carrier
        self._lookup = lookup
        self._stale_after = stale_after
        self._batch = batch
        # None: pending shipments wait for Bitrix to post them again.
        self._pending_after = pending_after

    async def run_once(self) -> int:
        """Settle returns waiting for item outcomes, poll quiet shipments, send again pending
        ones; returns how many shipments changed."""
        return await self.settle_waiting() + await self.poll_quiet() + await self.redrive_pending()

    async def redrive_pending(self) -> int:
        """Pending shipments whose create may have reached Ozon (an answer lost, a crash before
        our commit) or never did, untouched for a while: sent again, so Ozon's 409 hands over
        the order it has instead of a second one. Ones Ozon refused wait for a corrected post.
        Returns how many Ozon now has."""
        if self._pending_after is None:
            return 0
        cutoff = datetime.now(UTC) - self._pending_after
        async with self._sessions() as session:
            rows = (
                await session.execute(
                    select(Shipment.id, Shipment.shop_id, Shipment.bitrix_delivery_id)
                    .where(redrivable(cutoff))
                    .order_by(Shipment.updated_at)
                    .limit(self._batch)
                )
            ).all()
        sent = 0
        for shipment_id, shop_id, bitrix_delivery_id in rows:
            try:
                config = await self._lookup.delivery_service(shop_id, bitrix_delivery_id)
                sent += await resend_pending(
                    self._sessions, shipment_id, config, self._carrier, cutoff=cutoff
                )
            except (CarrierError, BridgeError) as exc:  # the failure is on the row; go on
                log.warning(
                    "redrive_failed", shipment_id=str(shipment_id), error=type(exc).__name__
                )
        if sent:
            log.info("pending_shipments_sent", count=sent)
        return sent

    async def settle_waiting(self) -> int:
        """Partial acceptance or refusal reported without per-item quantities: ask Ozon for them."""
        settled = 0
        async with self._sessions() as session, session.begin():
            waiting = list(
                await session.scalars(
                    select(Shipment)
                    .where(
                        Shipment.ozon_order_id.is_not(None),
                        Shipment.status.in_(returns.SETTLING),
                        ~exists().where(ShipmentReturn.shipment_id == Shipment.id),
                    )
                    .limit(self._batch)
                    .with_for_update(skip_locked=True, of=Shipment)
                )
            )
            for shipment in waiting:
                settled += await self._settle(session, shipment)
        return settled

    async def _settle(self, session: AsyncSession, shipment: Shipment) -> int:
        assert shipment.ozon_order_id is not None
        try:
            config = await self._lookup.delivery_service(
                shipment.shop_id, shipment.bitrix_delivery_id
            )
            state = await self._carrier.get_order(config.credentials, shipment.ozon_order_id)
        except (CarrierError, BridgeError) as exc:
            log.warning(
                "settle_fetch_failed", shipment_id=str(shipment.id), error=type(exc).__name__
            )
            return 0
        record_outcomes(shipment, state.items, state.cod_collected)
        service = await session.get_one(DeliveryService, shipment.delivery_service_id)
        opened = await returns.on_status(session, shipment, service, shipment.status)
        return int(opened is not None)

    async def poll_quiet(self) -> int:
        """Poll one batch of quiet shipments; returns how many changed status."""
        cutoff = datetime.now(UTC) - self._stale_after
        changed = 0
        async with self._sessions() as session, session.begin():
            quiet = list(
                await session.scalars(
                    select(Shipment)
                    .where(
                        Shipment.ozon_order_id.is_not(None),
                        Shipment.status.not_in(statuses.FINAL),
                        or_(
                            Shipment.last_ozon_update_at.is_(None),
                            Shipment.last_ozon_update_at < cutoff,
                        ),
                    )
                    .order_by(Shipment.last_ozon_update_at.nulls_first())
                    .limit(self._batch)
                    .with_for_update(skip_locked=True)
                )
            )
            for shipment in quiet:
                changed += await self._reconcile(session, shipment)
        return changed

    async def _reconcile(self, session: AsyncSession, shipment: Shipment) -> int:
        assert shipment.ozon_order_id is not None
        try:
            config = await self._lookup.delivery_service(
                shipment.shop_id, shipment.bitrix_delivery_id
            )
            state = await self._carrier.get_order(config.credentials, shipment.ozon_order_id)
        except (CarrierError, BridgeError) as exc:  # one bad shipment must not stop the sweep
            log.warning("reconcile_failed", shipment_id=str(shipment.id), error=type(exc).__name__)
            shipment.last_ozon_update_at = datetime.now(UTC)
            return 0
        moved = await apply_order_state(session, shipment, state, source="reconciler")
        if moved:
            log.info("reconciled", shipment_id=str(shipment.id), status=state.status)
        return int(moved)

    async def run_forever(self, stop: asyncio.Event, *, interval: float) -> None:
        while not stop.is_set():
            try:
                await self.run_once()
            except Exception:
                log.exception("reconcile_round_failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=interval)
