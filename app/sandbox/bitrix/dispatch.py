"""One inbound-webhook call end to end: credentials, faults, limits, the method, the envelope."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from app.sandbox.bitrix.batch import SubCall, run_batch
from app.sandbox.bitrix.clock import bitrix_datetime
from app.sandbox.bitrix.context import CallContext, Handler, MethodResult
from app.sandbox.bitrix.errors import (
    RestError,
    internal_server_error,
    invalid_credentials,
    method_not_found,
    operation_time_limit,
    overload_limit,
    query_limit_exceeded,
)
from app.sandbox.bitrix.faults import Fault
from app.sandbox.bitrix.methods import SALE_METHODS
from app.sandbox.bitrix.module_methods import MODULE_METHODS
from app.sandbox.bitrix.portal import Portal
from app.sandbox.bitrix.state import BitrixSandbox

log = logging.getLogger(__name__)

_UNAVAILABLE_HTML = (
    "<html><head><title>503 Service Temporarily Unavailable</title></head><body>"
    "<center><h1>503 Service Temporarily Unavailable</h1></center><hr><center>nginx</center>"
    "</body></html>"
)
_GATEWAY_TIMEOUT_HTML = (
    "<html><head><title>504 Gateway Time-out</title></head><body>"
    "<center><h1>504 Gateway Time-out</h1></center><hr><center>nginx</center></body></html>"
)


@dataclass(frozen=True)
class Reply:
    """What goes back on the wire: a JSON body, or the web server's HTML page."""

    status: int
    body: object = None
    html: str | None = None


async def handle_call(
    sandbox: BitrixSandbox,
    user_id: str,
    secret: str,
    method: str,
    params: Mapping[str, object],
) -> Reply:
    method = method.removesuffix(".json")
    portal = sandbox.find_portal(user_id, secret)
    if portal is None:
        return _failed(sandbox, None, method, params, invalid_credentials())

    fault = sandbox.take_fault(portal, method)
    if fault is not None and fault.mode != "slow":
        reply = _fault_reply(fault)
        # Logged before any hang, so a test sees the attempt even when its client gave up.
        sandbox.record_call(
            portal.id, method, params, status=reply.status, outcome=f"fault:{fault.mode}"
        )
        if fault.mode == "hang":
            await sandbox.config.sleep(fault.hang_seconds)
        return reply

    reply = _process(sandbox, portal, method, params)
    if fault is not None:
        # "slow": the call is processed now and the answer comes late, so a client that gives up
        # waiting has still changed the shop — the case retries must survive.
        await sandbox.config.sleep(fault.hang_seconds)
    return reply


def _process(
    sandbox: BitrixSandbox, portal: Portal, method: str, params: Mapping[str, object]
) -> Reply:
    if not portal.bucket.try_acquire(sandbox.now()):
        return _failed(sandbox, portal.id, method, params, query_limit_exceeded())

    if method.lower() == "batch":
        # The batch is logged first so that its commands follow it in the call log.
        sandbox.record_call(portal.id, method, params, status=200, outcome="ok")
        started = sandbox.now()

        def execute(sub_method: str, sub_params: dict[str, object], key: str) -> SubCall:
            return _sub_call(sandbox, portal, sub_method, sub_params, key)

        batch_result = run_batch(params, execute)
        return Reply(200, {"result": batch_result, "time": _time_block(started, 0.0, 0.0, started)})

    outcome = run_method(sandbox, portal, method, params, batch_key=None)
    if isinstance(outcome, RestError):
        return Reply(outcome.status, outcome.body())
    result, time = outcome
    body: dict[str, object] = {"result": result.result}
    if result.next is not None:
        body["next"] = result.next
    if result.total is not None:
        body["total"] = result.total
    body["time"] = time
    return Reply(200, body)


def run_method(
    sandbox: BitrixSandbox,
    portal: Portal,
    method: str,
    params: Mapping[str, object],
    *,
    batch_key: str | None,
) -> tuple[MethodResult, dict[str, object]] | RestError:
    """Run one method (alone or inside a batch) and log it; errors come back, not raised."""
    name = method.lower()
    handler = _handler(portal, name)
    now = sandbox.now()
    if handler is None:
        return _logged_error(sandbox, portal, method, params, method_not_found(), batch_key)
    if portal.options.operating_limit_enabled and portal.operating.is_blocked(name, now):
        return _logged_error(sandbox, portal, method, params, operation_time_limit(), batch_key)

    cost = portal.method_cost(name)
    portal.operating.record(name, now, cost)
    try:
        result = handler(CallContext(portal, now, sandbox.config.page_size), params)
    except RestError as error:
        return _logged_error(sandbox, portal, method, params, error, batch_key)
    except Exception:
        # A bug in the emulator must look like what it is to the client: Bitrix's 500.
        log.exception("bitrix sandbox method %s failed", method)
        return _logged_error(sandbox, portal, method, params, internal_server_error(), batch_key)
    sandbox.record_call(portal.id, method, params, status=200, outcome="ok", batch_key=batch_key)
    time = _time_block(
        now, cost, portal.operating.spent(name, now), portal.operating.reset_at(name, now)
    )
    return result, time


def _handler(portal: Portal, name: str) -> Handler | None:
    handler = SALE_METHODS.get(name)
    if handler is None and portal.options.module_installed:
        # Without the module its methods simply do not exist, as on a real shop.
        handler = MODULE_METHODS.get(name)
    return handler


def _sub_call(
    sandbox: BitrixSandbox,
    portal: Portal,
    method: str,
    params: dict[str, object],
    key: str,
) -> SubCall:
    outcome = run_method(sandbox, portal, method, params, batch_key=key)
    if isinstance(outcome, RestError):
        return SubCall(error=outcome.body())
    result, time = outcome
    return SubCall(result=result.result, total=result.total, next=result.next, time=time)


def _fault_reply(fault: Fault) -> Reply:
    if fault.mode == "hang":
        return Reply(504, html=_GATEWAY_TIMEOUT_HTML)
    if fault.mode == "unavailable":
        return Reply(503, html=_UNAVAILABLE_HTML)
    error = overload_limit() if fault.mode == "overload" else internal_server_error()
    return Reply(error.status, error.body())


def _failed(
    sandbox: BitrixSandbox,
    portal_id: int | None,
    method: str,
    params: Mapping[str, object],
    error: RestError,
) -> Reply:
    sandbox.record_call(
        portal_id,
        method,
        params,
        status=error.status,
        outcome=str(error.code),
        error_description=error.description,
    )
    return Reply(error.status, error.body())


def _logged_error(
    sandbox: BitrixSandbox,
    portal: Portal,
    method: str,
    params: Mapping[str, object],
    error: RestError,
    batch_key: str | None,
) -> RestError:
    sandbox.record_call(
        portal.id,
        method,
        params,
        status=error.status,
        outcome=str(error.code),
        error_description=error.description,
        batch_key=batch_key,
    )
    return error


def _time_block(start: float, cost: float, operating: float, reset_at: float) -> dict[str, object]:
    return {
        "start": start,
        "finish": start + cost,
        "duration": cost,
        "processing": cost,
        "date_start": bitrix_datetime(start),
        "date_finish": bitrix_datetime(start + cost),
        "operating_reset_at": int(reset_at),
        "operating": operating,
    }
