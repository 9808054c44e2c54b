"""The `/_sandbox/` control endpoints: portals, seeded orders, faults and the call log."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, ConfigDict

from app.sandbox.bitrix.faults import FaultSpec
from app.sandbox.bitrix.jsonout import BitrixJSONResponse
from app.sandbox.bitrix.portal import PortalOptions
from app.sandbox.bitrix.seed import OrderSeed
from app.sandbox.bitrix.state import BitrixSandbox, PortalInfo


def get_sandbox(request: Request) -> BitrixSandbox:
    sandbox: BitrixSandbox = request.app.state.bitrix
    return sandbox


SandboxDep = Annotated[BitrixSandbox, Depends(get_sandbox)]

router = APIRouter(prefix="/_sandbox", tags=["bitrix sandbox control"])


class PortalCreate(PortalOptions):
    """Portal options plus, optionally, the webhook's user id and secret (else generated)."""

    user_id: int = 1
    secret: str | None = None


class LockRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    locked: bool = True


def _portal_body(sandbox: BitrixSandbox, info: PortalInfo, request: Request) -> dict[str, object]:
    portal = sandbox.portal(info.portal_id)
    # root_path is where the bridge mounted the sandbox (/sandbox/bitrix), so the path is usable.
    webhook_path = request.scope.get("root_path", "") + info.webhook_path
    fault = portal.fault
    return {
        "portal_id": info.portal_id,
        "user_id": info.user_id,
        "secret": info.secret,
        "webhook_path": webhook_path,
        "webhook_url": str(request.url.replace(path=webhook_path, query="")),
        "options": portal.options.model_dump(),
        "bucket_level": portal.bucket.current_level(sandbox.now()),
        "fault": None
        if fault is None
        else {"mode": fault.mode, "calls_left": fault.calls_left, "until": fault.until},
    }


@router.post("/portals", status_code=201)
def create_portal(body: PortalCreate, request: Request, sandbox: SandboxDep) -> Response:
    options = PortalOptions.model_validate(body.model_dump(exclude={"user_id", "secret"}))
    info = sandbox.create_portal(options, user_id=body.user_id, secret=body.secret)
    return BitrixJSONResponse(_portal_body(sandbox, info, request), status_code=201)


@router.get("/portals")
def list_portals(request: Request, sandbox: SandboxDep) -> Response:
    bodies = [_portal_body(sandbox, sandbox.portal_info(pid), request) for pid in sandbox.portals]
    return BitrixJSONResponse({"portals": bodies})


@router.get("/portals/{portal_id}")
def get_portal(portal_id: int, request: Request, sandbox: SandboxDep) -> Response:
    return BitrixJSONResponse(_portal_body(sandbox, sandbox.portal_info(portal_id), request))


@router.patch("/portals/{portal_id}")
def configure_portal(portal_id: int, changes: dict[str, Any], sandbox: SandboxDep) -> Response:
    options = sandbox.configure_portal(portal_id, **changes)
    return BitrixJSONResponse({"options": options.model_dump()})


@router.post("/portals/{portal_id}/orders", status_code=201)
def seed_order(portal_id: int, seed: OrderSeed, sandbox: SandboxDep) -> Response:
    seeded = sandbox.seed_order(portal_id, seed)
    return BitrixJSONResponse(seeded.model_dump(), status_code=201)


@router.get("/portals/{portal_id}/orders/{order_id}")
def inspect_order(portal_id: int, order_id: int, sandbox: SandboxDep) -> Response:
    return BitrixJSONResponse(sandbox.order_state(portal_id, order_id))


@router.put("/portals/{portal_id}/orders/{order_id}/lock", status_code=204)
def lock_order(portal_id: int, order_id: int, body: LockRequest, sandbox: SandboxDep) -> Response:
    sandbox.set_order_locked(portal_id, order_id, body.locked)
    return Response(status_code=204)


@router.get("/portals/{portal_id}/shipments/{shipment_id}")
def inspect_shipment(portal_id: int, shipment_id: int, sandbox: SandboxDep) -> Response:
    return BitrixJSONResponse(sandbox.shipment_state(portal_id, shipment_id))


@router.get("/portals/{portal_id}/payments/{payment_id}")
def inspect_payment(portal_id: int, payment_id: int, sandbox: SandboxDep) -> Response:
    return BitrixJSONResponse(sandbox.payment_state(portal_id, payment_id))


@router.put("/portals/{portal_id}/fault", status_code=204)
def set_fault(portal_id: int, spec: FaultSpec, sandbox: SandboxDep) -> Response:
    sandbox.set_fault(portal_id, spec)
    return Response(status_code=204)


@router.delete("/portals/{portal_id}/fault", status_code=204)
def clear_fault(portal_id: int, sandbox: SandboxDep) -> Response:
    sandbox.clear_fault(portal_id)
    return Response(status_code=204)


@router.get("/calls")
def list_calls(
    sandbox: SandboxDep, portal_id: int | None = None, method: str | None = None
) -> Response:
    calls = sandbox.calls(portal_id, method=method)
    return BitrixJSONResponse({"calls": [c.as_dict() for c in calls]})


@router.post("/reset", status_code=204)
def reset(sandbox: SandboxDep) -> Response:
    sandbox.reset()
    return Response(status_code=204)
