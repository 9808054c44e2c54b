"""Pulling Ozon's whole pickup-point network into the local table: all pages or nothing."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, cast

import structlog
from sqlalchemy import (
    MetaData,
    Table,
    exists,
    func,
    insert,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from app.crypto import SecretBox
from app.domain.carrier import (
    Carrier,
    CarrierCredentials,
    CarrierError,
    CarrierUnavailableError,
    PickupPointPage,
)
from app.domain.carrier import PickupPoint as CarrierPoint
from app.errors import (
    BridgeError,
    CarrierUnavailable,
    Conflict,
    carrier_problem,
)
from app.pickup_points.fit import city_key, sorted_limits
from app.pickup_points.models import PickupPoint, PickupPointSync
from app.pickup_points.schemas import SyncReport
from app.retry import Sleep, retry_call
from app.runtime import Runtime
from app.shops.models import DeliveryService
from app.shops.service import delivery_service_config

log = structlog.get_logger(__name__)

Trigger = Literal["schedule", "api", "cli"]
# (pages fetched, points fetched) after each page: the CLI's progress bar.
OnPage = Callable[[int, int], None]

# The advisory lock that lets one sync at a time run, across every process on the database.
SYNC_LOCK_KEY = 0x6F7A_6F6E_7076_7A01  # "ozonpvz" + 1

POINTS = cast(Table, PickupPoint.__table__)
SYNCS = cast(Table, PickupPointSync.__table__)
# Everything Ozon tells about a point, as stored: what a sync compares and copies.
DATA_COLUMNS: tuple[str, ...] = tuple(
    c.name for c in POINTS.columns if c.name not in {"id", "created_at", "updated_at"}
)
STAGING = POINTS.to_metadata(MetaData(), name="pickup_points_staging")
STAGE_BATCH = 5000


class SyncInProgress(Conflict):
    type_slug = "pickup-sync-running"

    def __init__(self) -> None:
        super().__init__(
            "A pickup-point sync is already running (in this or another process); "
            "its result will be in the table when it ends."
        )


class NoSyncCredentials(BridgeError):
    status, title, type_slug = 409, "No delivery service to sync with", "pickup-sync-no-credentials"


class SyncRefused(Conflict):
    type_slug = "pickup-sync-refused"


@dataclass(frozen=True)
class SyncOptions:
    trigger: Trigger = "api"
    page_size: int = 1000
    page_attempts: int = 3
    page_backoff: float = 1.0
    max_deactivate_share: float = 0.5
    force: bool = False

    @classmethod
    def from_runtime(
        cls, runtime: Runtime, trigger: Trigger, *, force: bool = False
    ) -> SyncOptions:
        s = runtime.settings
        return cls(
            trigger=trigger,
            page_size=s.pickup_sync_page_size,
            page_attempts=s.pickup_sync_page_attempts,
            max_deactivate_share=s.pickup_sync_max_deactivate_share,
            force=force,
        )


@dataclass(frozen=True)
class DueCheck:
    """The scheduler's view before the lock: skip the run if another process synced since."""

    last_success: datetime | None


def point_row(point: CarrierPoint) -> dict[str, Any]:
    side_max, side_mid, side_min = sorted_limits(
        point.max_length, point.max_width, point.max_height
    )
    return {
        "id": point.id,
        "type": point.type,
        "name": point.name,
        "city": point.city,
        "city_key": city_key(point.city),
        "address": point.address,
        "lat": point.lat,
        "lon": point.lon,
        "working_hours": point.working_hours,
        "max_weight": point.max_weight,
        "max_length": point.max_length,
        "max_width": point.max_width,
        "max_height": point.max_height,
        "side_max": side_max,
        "side_mid": side_mid,
        "side_min": side_min,
        "cash_on_delivery": point.cash_on_delivery,
        "card_payment": point.card_payment,
        # The contract: lockers never allow partial acceptance, whatever a record says.
        "partial_acceptance": point.partial_acceptance and point.type != "locker",
        "is_active": point.is_active,
        "ozon_updated_at": point.updated_at,
    }


async def sync_credentials(
    session: AsyncSession, box: SecretBox, shop_id: uuid.UUID | None
) -> CarrierCredentials:
    """The network is the same for every seller, but Ozon wants a token: any delivery
    service's credentials do (the configured shop's, else the first one set up)."""
    query = select(DeliveryService).order_by(DeliveryService.created_at, DeliveryService.id)
    if shop_id is not None:
        query = query.where(DeliveryService.shop_id == shop_id)
    service = await session.scalar(query.limit(1))
    if service is None:
        where = f"shop {shop_id} (PICKUP_SYNC_SHOP_ID)" if shop_id else "any shop"
        raise NoSyncCredentials(
            f"No Ozon Rocket delivery service is configured for {where}: the pickup-point list "
            "needs an OZON_API_KEY. Save a delivery service "
            "(PUT /api/v1/shops/{shop_id}/delivery-services/{id}) and sync again."
        )
    return delivery_service_config(service, box).credentials


async def sync_network(
    engine: AsyncEngine,
    carrier: Carrier,
    creds: CarrierCredentials,
    options: SyncOptions,
    *,
    on_page: OnPage | None = None,
    due: DueCheck | None = None,
    sleep: Sleep = asyncio.sleep,
) -> SyncReport | None:
    """Every page first, then one short transaction that merges them; all or nothing.

    A failure before the commit changes nothing: the previous network stays in use. None:
    `due` was given and another process synced meanwhile.
    """
    started_at, started = datetime.now(UTC), time.perf_counter()
    async with _sync_lock(engine) as lock_conn:
        if due is not None and await _last_success(lock_conn) != due.last_success:
            return None
        rows, pages = await _fetch_all(carrier, creds, options, on_page, sleep)
        async with engine.begin() as conn:
            report = await _merge(conn, rows, options, pages=pages, started=started)
            await conn.execute(
                insert(SYNCS).values(
                    trigger=options.trigger,
                    state="succeeded",
                    started_at=started_at,
                    finished_at=datetime.now(UTC),
                    pages=report.pages,
                    total=report.total,
                    added=report.added,
                    updated=report.updated,
                    deactivated=report.deactivated,
                )
            )
    log.info("pickup_sync_done", trigger=options.trigger, **report.model_dump())
    return report


@contextlib.asynccontextmanager
async def _sync_lock(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A session-level advisory lock on a connection of its own, held while pages download.

    The connection stays outside any transaction (no table locks, no hour-long transaction)
    and is closed, not pooled, afterwards: closing releases the lock even if the unlock never
    ran (cancellation), so a lock can never stay behind in the pool.
    """
    async with engine.connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        try:
            if not await conn.scalar(select(func.pg_try_advisory_lock(SYNC_LOCK_KEY))):
                raise SyncInProgress
            yield conn
        finally:
            await conn.invalidate()


async def _fetch_all(
    carrier: Carrier,
    creds: CarrierCredentials,
    options: SyncOptions,
    on_page: OnPage | None,
    sleep: Sleep,
) -> tuple[dict[str, dict[str, Any]], int]:
    """Rows by point id (a point listed twice while the list shifts: the later copy wins)."""
    rows: dict[str, dict[str, Any]] = {}
    page_token: str | None = None
    pages = fetched = 0
    while True:
        page = await _fetch_page(carrier, creds, page_token, options, sleep)
        pages += 1
        fetched += len(page.points)
        for point in page.points:
            rows[point.id] = point_row(point)
        if on_page is not None:
            on_page(pages, fetched)
        if not page.next_page_token:
            return rows, pages
        if page.next_page_token == page_token:
            raise CarrierUnavailable("Ozon Rocket returned the same page token twice")
        page_token = page.next_page_token


async def _fetch_page(
    carrier: Carrier,
    creds: CarrierCredentials,
    page_token: str | None,
    options: SyncOptions,
    sleep: Sleep,
) -> PickupPointPage:
    async def attempt(_: int) -> PickupPointPage:
        return await carrier.list_pickup_points(
            creds, page_token=page_token, limit=options.page_size
        )

    def on_retry(number: int, exc: BaseException, delay: float) -> None:
        log.warning(
            "pickup_sync_page_retry",
            page_token=page_token,
            attempt=number,
            delay_s=round(delay, 3),
            error=str(exc),
        )

    try:
        # The client already retried transient failures within its deadline; a page that still
        # failed is asked for again after a longer pause, instead of failing the whole sync.
        return await retry_call(
            attempt,
            retryable=lambda exc: isinstance(exc, CarrierUnavailableError),
            max_attempts=options.page_attempts,
            base=options.page_backoff,
            cap=options.page_backoff * 10,
            sleep=sleep,
            on_retry=on_retry,
        )
    except CarrierUnavailableError as exc:
        raise CarrierUnavailable(
            f"Ozon Rocket did not give the pickup-point list ({exc.message}); "
            "the previous network is kept."
        ) from exc
    except CarrierError as exc:
        raise carrier_problem(exc, subject="the pickup-point request") from exc


def _changed() -> Any:
    return tuple_(*(POINTS.c[n] for n in DATA_COLUMNS)).is_distinct_from(
        tuple_(*(STAGING.c[n] for n in DATA_COLUMNS))
    )


async def _count(conn: AsyncConnection, *where: Any) -> int:
    return int(await conn.scalar(select(func.count()).select_from(POINTS).where(*where)) or 0)


async def _stage(conn: AsyncConnection, rows: dict[str, dict[str, Any]]) -> None:
    await conn.execute(
        text(
            "CREATE TEMPORARY TABLE pickup_points_staging "
            "(LIKE pickup_points INCLUDING DEFAULTS, PRIMARY KEY (id)) ON COMMIT DROP"
        )
    )
    batch = list(rows.values())
    for start in range(0, len(batch), STAGE_BATCH):
        await conn.execute(insert(STAGING), batch[start : start + STAGE_BATCH])


async def _merge(
    conn: AsyncConnection,
    rows: dict[str, dict[str, Any]],
    options: SyncOptions,
    *,
    pages: int,
    started: float,
) -> SyncReport:
    await _stage(conn, rows)
    unlisted = ~exists().where(STAGING.c.id == POINTS.c.id)
    active_before = await _count(conn, POINTS.c.is_active)
    flagged = await _count(
        conn, POINTS.c.is_active, STAGING.c.id == POINTS.c.id, STAGING.c.is_active.is_(False)
    )
    vanished = await _count(conn, POINTS.c.is_active, unlisted)
    share = (flagged + vanished) / active_before if active_before else 0.0
    if share > options.max_deactivate_share and not options.force:
        raise SyncRefused(
            f"This sync would stop offering {flagged + vanished} of {active_before} active "
            f"points ({share:.0%}); the network is kept as it was. If Ozon really removed them, "
            "sync with force (POST /api/v1/pickup-points/sync?force=true, or --force)."
        )
    changed = await conn.execute(
        update(POINTS)
        .where(POINTS.c.id == STAGING.c.id, _changed())
        .values({**{n: STAGING.c[n] for n in DATA_COLUMNS}, "updated_at": func.now()})
    )
    added = await conn.execute(
        insert(POINTS).from_select(
            ["id", *DATA_COLUMNS],
            select(STAGING.c.id, *(STAGING.c[n] for n in DATA_COLUMNS)).where(
                ~exists().where(POINTS.c.id == STAGING.c.id)
            ),
        )
    )
    await conn.execute(
        update(POINTS)
        .where(POINTS.c.is_active, unlisted)
        .values(is_active=False, updated_at=func.now())
    )
    total = len(rows)
    return SyncReport(
        added=added.rowcount,
        updated=changed.rowcount - flagged,
        deactivated=flagged + vanished,
        total=total,
        active=await _count(conn, POINTS.c.is_active),
        pages=pages,
        seconds=round(time.perf_counter() - started, 3),
    )


async def _last_success(conn: AsyncConnection) -> datetime | None:
    last: datetime | None = await conn.scalar(
        select(func.max(SYNCS.c.finished_at)).where(SYNCS.c.state == "succeeded")
    )
    return last


async def run_sync(
    runtime: Runtime,
    trigger: Trigger,
    *,
    force: bool = False,
    on_page: OnPage | None = None,
    due: DueCheck | None = None,
) -> SyncReport | None:
    """Credentials, the sync, and a `failed` row in the sync log when it fails."""
    async with runtime.session_factory() as session:
        creds = await sync_credentials(
            session, runtime.secrets, runtime.settings.pickup_sync_shop_id
        )
    options = SyncOptions.from_runtime(runtime, trigger, force=force)
    started_at = datetime.now(UTC)
    try:
        return await sync_network(
            runtime.engine, runtime.carrier, creds, options, on_page=on_page, due=due
        )
    except SyncInProgress:
        raise
    except Exception as exc:
        detail = exc.detail if isinstance(exc, BridgeError) else f"{type(exc).__name__}: {exc}"
        log.warning("pickup_sync_failed", trigger=trigger, error=detail)
        with contextlib.suppress(Exception):  # the log row must not hide the real error
            async with runtime.engine.begin() as conn:
                await conn.execute(
                    insert(SYNCS).values(
                        trigger=trigger,
                        state="failed",
                        started_at=started_at,
                        finished_at=datetime.now(UTC),
                        error=detail[:2000],
                    )
                )
        raise


@dataclass(frozen=True)
class SyncHistory:
    last_success: datetime | None
    last_failure: datetime | None


async def sync_history(engine: AsyncEngine) -> SyncHistory:
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                select(
                    func.max(SYNCS.c.finished_at).filter(SYNCS.c.state == "succeeded"),
                    func.max(SYNCS.c.finished_at).filter(SYNCS.c.state == "failed"),
                )
            )
        ).one()
    return SyncHistory(last_success=row[0], last_failure=row[1])


# The scheduler looks at the sync log at least this often, so that a change of plan (another
# process synced, an operator synced by hand) is seen within minutes, not a day.
MAX_NAP = 600.0


@dataclass
class SyncScheduler:
    """The daily sync, shared by every process: the log in the database says when it is due."""

    runtime: Runtime

    async def run_forever(self, stop: asyncio.Event, *, first_delay: float = 5.0) -> None:
        wait = first_delay
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=wait)
            if stop.is_set():
                return
            try:
                wait = await self.run_if_due()
            except Exception:
                log.exception("pickup_sync_round_failed")
                wait = self.runtime.settings.pickup_sync_retry

    async def run_if_due(self) -> float:
        """Sync when due; the seconds until it is worth looking again."""
        settings = self.runtime.settings
        interval, retry = settings.pickup_sync_interval, settings.pickup_sync_retry
        history = await sync_history(self.runtime.engine)
        now = datetime.now(UTC)
        due_at = (
            now
            if history.last_success is None
            else history.last_success + timedelta(seconds=interval)
        )
        if history.last_failure is not None and (
            history.last_success is None or history.last_failure > history.last_success
        ):
            due_at = max(due_at, history.last_failure + timedelta(seconds=retry))
        if due_at > now:
            return min((due_at - now).total_seconds(), MAX_NAP)
        try:
            await run_sync(self.runtime, "schedule", due=DueCheck(history.last_success))
        except NoSyncCredentials as exc:
            log.warning("pickup_sync_skipped", reason=exc.detail)
            return min(retry, MAX_NAP)
        except SyncInProgress:
            log.info("pickup_sync_skipped", reason="another process is syncing")
            return min(60.0, interval)
        except BridgeError:
            return min(retry, MAX_NAP)  # logged and recorded by run_sync
        return min(interval, MAX_NAP)
