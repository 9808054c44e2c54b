"""The background work: outbox to Bitrix, reconciliation and pickup-point sync, until stopped."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import timedelta

import structlog

from app.outbox.dispatcher import Dispatcher, OutboxPolicy
from app.pickup_points.sync import SyncScheduler
from app.runtime import Runtime
from app.shipments.reconciler import Reconciler

log = structlog.get_logger(__name__)


def build_dispatcher(runtime: Runtime) -> Dispatcher:
    return Dispatcher(
        runtime.engine,
        runtime.session_factory,
        runtime.secrets,
        runtime.bitrix,
        OutboxPolicy.from_settings(runtime.settings),
    )


def build_reconciler(runtime: Runtime) -> Reconciler:
    settings = runtime.settings
    return Reconciler(
        runtime.session_factory,
        runtime.carrier,
        runtime.lookup,
        stale_after=timedelta(seconds=settings.reconcile_stale_after),
        pending_after=timedelta(seconds=settings.reconcile_pending_after),
        batch=settings.reconcile_batch,
    )


@dataclass
class Workers:
    """Started by the lifespan (RUN_WORKERS) or by `python -m app worker`."""

    runtime: Runtime
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def start(self) -> None:
        settings = self.runtime.settings
        self.tasks = [
            asyncio.create_task(
                build_dispatcher(self.runtime).run_forever(
                    self.stop, idle=settings.outbox_poll_interval
                ),
                name="outbox-dispatcher",
            ),
            asyncio.create_task(
                build_reconciler(self.runtime).run_forever(
                    self.stop, interval=settings.reconcile_interval
                ),
                name="reconciler",
            ),
            asyncio.create_task(
                SyncScheduler(self.runtime).run_forever(self.stop), name="pickup-point-sync"
            ),
        ]
        log.info("workers_started", tasks=[t.get_name() for t in self.tasks])

    async def shutdown(self, grace: float | None = None) -> None:
        """Stop taking new work; the round in flight finishes (its claim commits or rolls back)."""
        grace = self.runtime.settings.shutdown_grace if grace is None else grace
        self.stop.set()
        if not self.tasks:
            return
        done, pending = await asyncio.wait(self.tasks, timeout=grace)
        for task in pending:
            task.cancel()  # the open transaction rolls back: its messages stay pending
        await asyncio.gather(*pending, return_exceptions=True)
        log.info("workers_stopped", finished=len(done), cancelled=len(pending))
