"""The outbox dispatcher: claim due messages, push them to each shop's Bitrix, record the outcome.

Claims are row locks (`FOR UPDATE SKIP LOCKED`) held for the delivery: any number of
dispatchers share the work without delivering a message twice, and a crash mid-delivery rolls
the claim back so the message is delivered after restart. Per shipment, a message is claimable
only when no earlier message of the same shipment is still pending: statuses go out in order.
Each shop is claimed and delivered in its own transaction, several shops at once: a shop that
hangs holds only its own messages.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import uuid
from collections.abc import Callable, Coroutine, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from app.bitrix.port import (
    THROTTLE_CODES,
    BatchOutcome,
    BitrixClient,
    BitrixError,
    BitrixRejected,
    BitrixThrottled,
    Command,
    CommandError,
)
from app.bitrix.pushes import status_push_commands
from app.config import Settings
from app.crypto import SecretBox
from app.outbox.models import OutboxMessage
from app.outbox.throttle import pause_shop, take_slot
from app.retry import backoff_delay
from app.returns.bitrix_apply import MessageRefused, add_manager_note, apply_partial
from app.returns.service import MANAGER_NOTE, PARTIAL_APPLY
from app.shipments.lifecycle import STATUS_PUSH, tracking_to_send
from app.shipments.models import Shipment
from app.shops.models import Shop
from app.shops.service import bitrix_rest_url

log = structlog.get_logger(__name__)

MAX_COMMANDS_PER_BATCH = 50
# Shops looked at in one round (those with the oldest due messages first).
MAX_SHOPS_PER_ROUND = 500
# Kinds that are plain commands (packed into shared batches); the others read before they write.
BATCHED_KINDS = frozenset({STATUS_PUSH})
_WRITES = ("_u", "_o", "_s", "_p")

_DUE_SHOPS = text(
    """
    SELECT o.shop_id FROM outbox o
    JOIN shops s ON s.id = o.shop_id
    WHERE o.state = 'pending' AND o.next_attempt_at <= now()
      AND (s.bitrix_paused_until IS NULL OR s.bitrix_paused_until <= now())
    GROUP BY o.shop_id
    ORDER BY min(o.id)
    LIMIT :limit
    """
)

_CLAIM = text(
    """
    SELECT o.id FROM outbox o
    JOIN shops s ON s.id = o.shop_id
    WHERE o.shop_id = :shop_id AND o.state = 'pending' AND o.next_attempt_at <= now()
      AND (s.bitrix_paused_until IS NULL OR s.bitrix_paused_until <= now())
      AND NOT EXISTS (
          SELECT 1 FROM outbox e
          WHERE e.shipment_id = o.shipment_id AND e.state = 'pending' AND e.id < o.id)
    ORDER BY o.id
    LIMIT :limit
    FOR UPDATE OF o SKIP LOCKED
    """
)


@dataclass(frozen=True)
class OutboxPolicy:
    claim_size: int = 200
    max_attempts: int = 10
    max_age: timedelta = timedelta(hours=72)
    backoff_base: float = 2.0
    backoff_cap: float = 300.0
    max_bucket_wait: float = 2.0
    # Batch requests open at once per shop: the bucket paces their starts, and a shop that
    # needs seconds for 50 commands would otherwise pace them too (bench/drain.py).
    max_in_flight: int = 4
    # Shops delivered at once, each in its own claim transaction (and database connection).
    shop_concurrency: int = 8

    @classmethod
    def from_settings(cls, settings: Settings) -> OutboxPolicy:
        return cls(
            claim_size=settings.outbox_claim_size,
            max_attempts=settings.outbox_max_attempts,
            max_age=timedelta(hours=settings.outbox_max_age_hours),
            backoff_base=settings.outbox_backoff_base,
            backoff_cap=settings.outbox_backoff_cap,
            max_bucket_wait=settings.outbox_max_bucket_wait,
            max_in_flight=settings.outbox_max_in_flight,
            shop_concurrency=settings.outbox_shop_concurrency,
        )


def commands_for(message: OutboxMessage, *, module: bool) -> dict[str, Command]:
    if message.kind == STATUS_PUSH:
        return status_push_commands(f"m{message.id}", message.payload, module=module)
    raise ValueError(f"unknown outbox message kind {message.kind!r}")


def pack(
    messages: Sequence[OutboxMessage], commands: dict[int, dict[str, Command]]
) -> list[list[OutboxMessage]]:
    """Batches of at most 50 commands; a message's commands never straddle two batches."""
    batches: list[list[OutboxMessage]] = []
    current: list[OutboxMessage] = []
    size = 0
    for message in messages:
        n = len(commands[message.id])
        if current and size + n > MAX_COMMANDS_PER_BATCH:
            batches.append(current)
            current, size = [], 0
        current.append(message)
        size += n
    if current:
        batches.append(current)
    return batches


class Dispatcher:
    def __init__(
        self,
        engine: AsyncEngine,
        sessions: async_sessionmaker[AsyncSession],
        box: SecretBox,
        bitrix: BitrixClient,
        policy: OutboxPolicy,
        *,
        sleep: Callable[[float], Any] = asyncio.sleep,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._engine = engine
        self._sessions = sessions
        self._box = box
        self.bitrix = bitrix
        self._policy = policy
        self._sleep = sleep
        # Ages, backoffs and delivery times; the claim itself compares with the database's now().
        self._now = clock

    async def run_once(self) -> int:
        """One round: every shop with due messages claims and delivers them, several at once.

        Returns how many messages were settled (done or dead). A shop whose round fails rolls
        back only its own claim; the first such error is raised once every shop has finished.
        """
        async with self._sessions() as session:
            shop_ids = list(
                (await session.execute(_DUE_SHOPS, {"limit": MAX_SHOPS_PER_ROUND})).scalars()
            )
        if not shop_ids:
            return 0
        gate = asyncio.Semaphore(max(1, self._policy.shop_concurrency))

        async def deliver(shop_id: uuid.UUID) -> int:
            async with gate:
                return await self._claim_and_deliver(shop_id)

        outcomes = await asyncio.gather(*(deliver(s) for s in shop_ids), return_exceptions=True)
        failures = [o for o in outcomes if isinstance(o, BaseException)]
        if failures:
            raise failures[0]
        return sum(o for o in outcomes if isinstance(o, int))

    async def _claim_and_deliver(self, shop_id: uuid.UUID) -> int:
        """One shop's due messages, claimed and delivered in one transaction."""
        async with self._sessions() as session, session.begin():
            ids = list(
                (
                    await session.execute(
                        _CLAIM, {"shop_id": shop_id, "limit": self._policy.claim_size}
                    )
                ).scalars()
            )
            if not ids:
                return 0
            messages = list(
                await session.scalars(
                    select(OutboxMessage)
                    .where(OutboxMessage.id.in_(ids))
                    .order_by(OutboxMessage.id)
                )
            )
            return await self._deliver_shop(session, shop_id, messages)

    async def run_forever(self, stop: asyncio.Event, *, idle: float) -> None:
        while not stop.is_set():
            try:
                settled = await self.run_once()
            except Exception:  # a failed round must not end the loop; the claim rolled back
                log.exception("outbox_round_failed")
                settled = 0
            if settled == 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=idle)

    async def _deliver_shop(
        self, session: AsyncSession, shop_id: uuid.UUID, messages: list[OutboxMessage]
    ) -> int:
        shop = await session.get_one(Shop, shop_id)
        url = bitrix_rest_url(shop, self._box)
        if url is None:
            for message in messages:
                self._failed(message, "the shop has no bitrix_rest_url", message_level=True)
            return sum(m.state == "dead" for m in messages)
        structlog.contextvars.bind_contextvars(shop_id=str(shop_id))
        channel = _Channel(self, shop_id, url)
        try:
            batched = [m for m in messages if m.kind in BATCHED_KINDS]
            stepped = [m for m in messages if m.kind not in BATCHED_KINDS]
            await self._settle_tracking(session, batched)
            settled, go_on = await self._deliver_batched(
                channel, batched, module=shop.bitrix_module
            )
            if go_on:
                settled += await self._deliver_stepped(
                    session, channel, stepped, module=shop.bitrix_module
                )
        finally:
            structlog.contextvars.unbind_contextvars("shop_id")
        return settled

    async def _settle_tracking(
        self, session: AsyncSession, messages: Sequence[OutboxMessage]
    ) -> None:
        """Each status push carries the shipment's tracking number until one carrying it has
        been delivered: a number learnt late, or lost with a dead message, still reaches Bitrix.

        The payload is rewritten to what goes out, so a delivered payload says what Bitrix got.
        """
        pushes = [(m, m.shipment_id) for m in messages if m.kind == STATUS_PUSH]
        if not pushes:
            return
        done = aliased(OutboxMessage)
        delivered = (
            select(done.id)
            .where(
                done.shipment_id == Shipment.id,
                done.kind == STATUS_PUSH,
                done.state == "done",
                done.payload["tracking_number"].astext == Shipment.tracking_number,
            )
            .exists()
        )
        rows = await session.execute(
            select(Shipment.id, Shipment.tracking_number, delivered).where(
                Shipment.id.in_({shipment_id for _, shipment_id in pushes if shipment_id})
            )
        )
        known = {row[0]: tracking_to_send(row[1], delivered=row[2]) for row in rows}
        for message, shipment_id in pushes:
            if shipment_id is None or shipment_id not in known:
                continue  # no shipment to read it from: the payload stands as enqueued
            tracking = known[shipment_id]
            if message.payload.get("tracking_number") != tracking:
                message.payload = {**message.payload, "tracking_number": tracking}

    async def _deliver_batched(
        self, channel: _Channel, messages: list[OutboxMessage], *, module: bool
    ) -> tuple[int, bool]:
        """Messages that are plain commands, packed 50 commands a request.

        Requests start as the shop's bucket allows, not as answers come back: a shop that takes
        longer to run 50 commands than the bucket's interval would otherwise pace the drain.
        At most `max_in_flight` requests are open at once, and never two that write the same
        Bitrix order. A claim holds one message per shipment, so the order of each shipment's
        statuses does not depend on which request lands first.
        """
        commands = {m.id: self._commands(m, module=module) for m in messages}
        batches = pack([m for m in messages if commands[m.id]], commands)
        flight = _Flight(self._policy.max_in_flight)
        unsent: list[list[OutboxMessage]] = []
        postponed = False
        try:
            for index, batch in enumerate(batches):
                await flight.make_room(_orders(batch))
                if flight.failed:
                    unsent = batches[index:]  # a request failed: send no more this round
                    break
                try:
                    await self.wait_for_slot(channel.shop_id)
                except _NoSlot as exc:
                    # Leave the rest pending (unclaimed at commit) for a later round.
                    self._postpone(itertools.chain.from_iterable(batches[index:]), exc.wait)
                    postponed = True
                    break
                merged = {k: c for m in batch for k, c in commands[m.id].items()}
                flight.send(batch, channel.batch_in_slot(merged))
            await flight.land_all()
        finally:
            await flight.cancel()  # the round failed or was cancelled: no request outlives it
        settled = self._record_landed(flight, commands)
        failures = [(b, r) for b, r in flight.landed if isinstance(r, BitrixError)]
        throttled = _first_throttle(flight.landed)
        if not failures and throttled is None:
            return settled, not postponed
        if throttled is not None:
            # The shop pauses; refused and unsent messages stay pending as they are.
            await self._throttled(channel.shop_id, throttled)
        else:
            await self._shop_down(
                channel.shop_id, [b for b, _ in failures] + unsent, failures[0][1]
            )
        return settled, False

    def _record_landed(self, flight: _Flight, commands: dict[int, dict[str, Command]]) -> int:
        """Record every answered request; a failure that is not Bitrix's ends the round."""
        settled = 0
        for batch, result in flight.landed:
            if isinstance(result, BatchOutcome):
                settled += self._record(batch, commands, result)
            elif not isinstance(result, BitrixError):
                raise result
        return settled

    async def _deliver_stepped(
        self,
        session: AsyncSession,
        channel: _Channel,
        messages: list[OutboxMessage],
        *,
        module: bool,
    ) -> int:
        """Messages that read Bitrix before they write (returns): one at a time."""
        settled = 0
        for index, message in enumerate(messages):
            try:
                # A failed attempt leaves no half-made change to our own records.
                async with session.begin_nested():
                    result = await self._run_steps(session, channel, message, module=module)
            except _NoSlot as exc:
                self._postpone(messages[index:], exc.wait)
                break
            except MessageRefused as exc:
                self._failed(message, str(exc), message_level=True)
                settled += message.state == "dead"
                continue
            except BitrixThrottled as exc:
                await self._throttled(channel.shop_id, exc)
                break
            except BitrixRejected as exc:
                if exc.status != 400:
                    await self._shop_down(channel.shop_id, [messages[index:]], exc)
                    break
                self._failed(message, str(exc), message_level=True)
                settled += message.state == "dead"
                continue
            except BitrixError as exc:
                await self._shop_down(channel.shop_id, [messages[index:]], exc)
                break
            self._done(message, result)
            settled += 1
        return settled

    async def _run_steps(
        self, session: AsyncSession, channel: _Channel, message: OutboxMessage, *, module: bool
    ) -> dict[str, Any]:
        if message.kind == PARTIAL_APPLY:
            return await apply_partial(channel, message, session, module=module)
        if message.kind == MANAGER_NOTE:
            return await add_manager_note(channel, message)
        raise MessageRefused(f"unknown outbox message kind {message.kind!r}")

    async def _throttled(self, shop_id: uuid.UUID, exc: BitrixThrottled) -> None:
        until = await pause_shop(self._engine, shop_id, exc.retry_after)
        log.warning("bitrix_throttled", code=exc.code, paused_until=until.isoformat())

    async def wait_for_slot(self, shop_id: uuid.UUID) -> None:
        """Take a slot of the shop's shared bucket, sleeping briefly; _NoSlot when it is far."""
        wait = await take_slot(self._engine, shop_id)
        if wait == 0:
            return
        if wait > self._policy.max_bucket_wait:
            raise _NoSlot(wait)
        await self._sleep(wait)
        again = await take_slot(self._engine, shop_id)
        if again > 0:
            raise _NoSlot(again)

    def _done(self, message: OutboxMessage, result: dict[str, Any]) -> None:
        message.state = "done"
        message.delivered_at = self._now()
        message.attempts += 1
        message.last_error = None
        message.result = result

    def _commands(self, message: OutboxMessage, *, module: bool) -> dict[str, Command]:
        try:
            return commands_for(message, module=module)
        except (KeyError, ValueError) as exc:
            self._dead(message, f"cannot build Bitrix commands: {exc}")
            return {}

    def _record(
        self,
        batch: list[OutboxMessage],
        commands: dict[int, dict[str, Command]],
        outcome: BatchOutcome,
    ) -> int:
        settled = 0
        for message in batch:
            keys = commands[message.id]
            errors = [outcome.errors[k] for k in keys if k in outcome.errors]
            if any(e.code in THROTTLE_CODES for e in errors):
                continue  # refused for the shop's limits: it waits as it is, the shop pauses
            if errors:
                self._failed(message, _describe(errors), message_level=True)
                settled += message.state == "dead"
                continue
            # What Bitrix answered to the changes (reads of current values are not kept).
            self._done(
                message,
                {
                    k: outcome.results[k]
                    for k in keys
                    if k in outcome.results and k.endswith(_WRITES)
                },
            )
            settled += 1
        return settled

    async def _shop_down(
        self, shop_id: uuid.UUID, batches: Sequence[Sequence[OutboxMessage]], exc: BitrixError
    ) -> None:
        """The shop as a whole did not answer: every message waits; none dies of attempts."""
        pending = list(itertools.chain.from_iterable(batches))
        attempt = max(m.attempts for m in pending) + 1
        policy = self._policy
        delay = max(
            policy.backoff_base,
            backoff_delay(attempt, base=policy.backoff_base, cap=policy.backoff_cap),
        )
        for message in pending:
            self._failed(message, f"Bitrix unavailable: {exc}", message_level=False, delay=delay)
        await pause_shop(self._engine, shop_id, delay)
        log.warning("bitrix_unavailable", error=str(exc), retry_in_s=round(delay, 1))

    def _failed(
        self,
        message: OutboxMessage,
        error: str,
        *,
        message_level: bool,
        delay: float | None = None,
    ) -> None:
        message.attempts += 1
        message.last_error = error[:2000]
        now = self._now()
        age = now - (message.requeued_at or message.created_at)
        if (message_level and message.attempts >= self._policy.max_attempts) or (
            age > self._policy.max_age
        ):
            self._dead(message, error)
            return
        if delay is None:
            delay = backoff_delay(
                message.attempts, base=self._policy.backoff_base, cap=self._policy.backoff_cap
            )
        message.next_attempt_at = now + timedelta(seconds=delay)

    def _dead(self, message: OutboxMessage, error: str) -> None:
        message.state = "dead"
        message.last_error = error[:2000]
        log.error("outbox_dead_letter", message_id=message.id, kind=message.kind, error=error)

    def _postpone(self, messages: Iterable[OutboxMessage], wait: float) -> None:
        at = self._now() + timedelta(seconds=wait)
        for message in messages:
            message.next_attempt_at = max(message.next_attempt_at, at)


class _NoSlot(Exception):
    def __init__(self, wait: float) -> None:
        super().__init__(f"rate limit: next slot in {wait:.1f} s")
        self.wait = wait


class _Channel:
    """One shop's Bitrix for one round: every request first takes a slot of its bucket."""

    def __init__(self, dispatcher: Dispatcher, shop_id: uuid.UUID, url: str) -> None:
        self._dispatcher = dispatcher
        self.shop_id = shop_id
        self._url = url

    async def call(self, method: str, params: dict[str, Any]) -> Any:
        await self._dispatcher.wait_for_slot(self.shop_id)
        return await self._dispatcher.bitrix.call(self._url, method, params)

    async def batch(self, commands: dict[str, Command]) -> BatchOutcome:
        await self._dispatcher.wait_for_slot(self.shop_id)
        return await self._dispatcher.bitrix.batch(self._url, commands)

    async def batch_in_slot(self, commands: dict[str, Command]) -> BatchOutcome:
        """A batch whose slot the caller has already taken."""
        return await self._dispatcher.bitrix.batch(self._url, commands)


class _Flight:
    """A shop's batch requests under way in one round, and those that came back."""

    def __init__(self, limit: int) -> None:
        self._limit = max(1, limit)
        self._open: dict[asyncio.Task[BatchOutcome], list[OutboxMessage]] = {}
        self.landed: list[tuple[list[OutboxMessage], BatchOutcome | BaseException]] = []

    @property
    def failed(self) -> bool:
        """A request failed, or Bitrix refused a command for the shop's limits."""
        return any(
            not isinstance(result, BatchOutcome) or result.throttled is not None
            for _, result in self.landed
        )

    def send(self, batch: list[OutboxMessage], request: Coroutine[Any, Any, BatchOutcome]) -> None:
        self._open[asyncio.ensure_future(request)] = batch

    async def make_room(self, orders: set[object]) -> None:
        """Wait until a request may start: below the limit, and no open one on its orders."""
        self._collect()
        while self._open:
            sharing = [t for t, b in self._open.items() if _orders(b) & orders]
            if sharing:
                await asyncio.wait(sharing)
            elif len(self._open) >= self._limit:
                await asyncio.wait(self._open, return_when=asyncio.FIRST_COMPLETED)
            else:
                break
            self._collect()

    async def land_all(self) -> None:
        if self._open:
            await asyncio.wait(self._open)
        self._collect()

    async def cancel(self) -> None:
        for task in self._open:
            task.cancel()
        await asyncio.gather(*self._open, return_exceptions=True)
        self._open.clear()

    def _collect(self) -> None:
        for task in [t for t in self._open if t.done()]:
            batch = self._open.pop(task)
            error = task.exception()
            self.landed.append((batch, error if error is not None else task.result()))


def _orders(batch: Sequence[OutboxMessage]) -> set[object]:
    """The Bitrix orders a batch writes: two requests saving one order at once could lose one."""
    return {m.payload.get("bitrix_order_id", m.shipment_id) for m in batch}


def _first_throttle(
    landed: Sequence[tuple[list[OutboxMessage], BatchOutcome | BaseException]],
) -> BitrixThrottled | None:
    """The shop's limits refused a request, or a command inside one (OPERATION_TIME_LIMIT)."""
    for _, result in landed:
        if isinstance(result, BitrixThrottled):
            return result
        if isinstance(result, BatchOutcome) and result.throttled is not None:
            return result.throttled
    return None


def _describe(errors: list[CommandError]) -> str:
    return "; ".join(f"{e.code}: {e.description}" for e in errors)
