"""The emulator's state (`app.state.bitrix`): portals, call log, faults, and its Python API."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from app.sandbox.bitrix.config import BitrixSandboxConfig
from app.sandbox.bitrix.faults import Fault, FaultSpec
from app.sandbox.bitrix.jsonout import to_jsonable
from app.sandbox.bitrix.models import Order, Payment, Shipment
from app.sandbox.bitrix.portal import Portal, PortalOptions
from app.sandbox.bitrix.seed import (
    BasketItemSeed,
    OrderSeed,
    PaymentSeed,
    SeededOrder,
    ShipmentSeed,
    seed_order,
)
from app.sandbox.bitrix.serialize import order_view, payment_view, shipment_view

DEMO_USER_ID = 1
# Public on purpose: whoever runs the demo needs the demo shop's webhook URL.
DEMO_SECRET = "demo0webhook0key"  # noqa: S105


class UnknownEntity(LookupError):
    """No such portal, order, shipment or payment in the sandbox."""


@dataclass(frozen=True)
class PortalInfo:
    portal_id: int
    user_id: int
    secret: str
    # Relative to where the sandbox is mounted: "/rest/1/<secret>/"; append "<method>.json".
    webhook_path: str


@dataclass
class CallRecord:
    """One method call as the portal saw it; batch commands are logged after their batch."""

    seq: int
    portal_id: int | None
    method: str
    params: dict[str, object]
    status: int
    outcome: str  # "ok", or the error code as text, or "fault:<mode>"
    error_description: str | None
    batch_key: str | None
    at: float

    def as_dict(self) -> dict[str, object]:
        return {
            "seq": self.seq,
            "portal_id": self.portal_id,
            "method": self.method,
            "params": to_jsonable(self.params),
            "status": self.status,
            "outcome": self.outcome,
            "error_description": self.error_description,
            "batch_key": self.batch_key,
            "at": self.at,
        }


class BitrixSandbox:
    def __init__(self, config: BitrixSandboxConfig | None = None) -> None:
        self.config = config or BitrixSandboxConfig()
        self.portals: dict[int, Portal] = {}
        self._calls: list[CallRecord] = []
        self._seq = 0
        if self.config.seed_demo:
            self.seed_demo()

    def now(self) -> float:
        return self.config.clock()

    # ---- portals ---------------------------------------------------------------------------

    def create_portal(
        self,
        options: PortalOptions | None = None,
        *,
        user_id: int = 1,
        secret: str | None = None,
    ) -> PortalInfo:
        secret = secret or secrets.token_hex(8)
        if self.find_portal(str(user_id), secret) is not None:
            raise ValueError("a portal with this user_id and secret already exists")
        portal_id = max(self.portals, default=0) + 1
        portal = Portal.create(portal_id, str(user_id), secret, options or PortalOptions())
        self.portals[portal_id] = portal
        return self.portal_info(portal_id)

    def portal(self, portal_id: int) -> Portal:
        try:
            return self.portals[portal_id]
        except KeyError:
            raise UnknownEntity(f"portal {portal_id} does not exist") from None

    def portal_info(self, portal_id: int) -> PortalInfo:
        portal = self.portal(portal_id)
        return PortalInfo(
            portal_id=portal.id,
            user_id=int(portal.user_id) if portal.user_id.isdigit() else 0,
            secret=portal.secret,
            webhook_path=f"/rest/{portal.user_id}/{portal.secret}/",
        )

    def find_portal(self, user_id: str, secret: str) -> Portal | None:
        for portal in self.portals.values():
            if portal.user_id == user_id and secrets.compare_digest(portal.secret, secret):
                return portal
        return None

    def configure_portal(self, portal_id: int, **changes: object) -> PortalOptions:
        portal = self.portal(portal_id)
        options = PortalOptions.model_validate({**portal.options.model_dump(), **changes})
        portal.apply_options(options)
        return options

    # ---- orders ----------------------------------------------------------------------------

    def seed_order(self, portal_id: int, seed: OrderSeed | Mapping[str, object]) -> SeededOrder:
        order_seed = seed if isinstance(seed, OrderSeed) else OrderSeed.model_validate(seed)
        return seed_order(self.portal(portal_id), order_seed, self.now())

    def order(self, portal_id: int, order_id: int) -> Order:
        order = self.portal(portal_id).orders.get(order_id)
        if order is None:
            raise UnknownEntity(f"order {order_id} does not exist")
        return order

    def shipment(self, portal_id: int, shipment_id: int) -> Shipment:
        found = self.portal(portal_id).find_shipment(shipment_id)
        if found is None:
            raise UnknownEntity(f"shipment {shipment_id} does not exist")
        return found[1]

    def payment(self, portal_id: int, payment_id: int) -> Payment:
        found = self.portal(portal_id).find_payment(payment_id)
        if found is None:
            raise UnknownEntity(f"payment {payment_id} does not exist")
        return found[1]

    def order_state(self, portal_id: int, order_id: int) -> dict[str, object]:
        """The order as sale.order.get shows it, plus what only the sandbox can see."""
        portal = self.portal(portal_id)
        order = self.order(portal_id, order_id)
        return {
            "order": order_view(portal, order),
            "sandbox": {
                "locked": order.locked,
                "basketTotal": order.basket_total(),
                "deliveryTotal": order.delivery_total(),
                "innerAccountCredit": order.inner_account_credit,
                "refunds": [
                    {
                        "operationId": r.operation_id,
                        "status": r.status,
                        "amount": r.amount,
                        "paymentId": r.payment_id,
                        "reason": r.reason,
                    }
                    for r in order.refunds
                ],
            },
        }

    def shipment_state(self, portal_id: int, shipment_id: int) -> dict[str, object]:
        return {
            "shipment": shipment_view(self.portal(portal_id), self.shipment(portal_id, shipment_id))
        }

    def payment_state(self, portal_id: int, payment_id: int) -> dict[str, object]:
        return {"payment": payment_view(self.payment(portal_id, payment_id))}

    def set_order_locked(self, portal_id: int, order_id: int, locked: bool = True) -> None:
        """A manager has the order open: the module's methods answer OZONROCKET_ORDER_LOCKED."""
        self.order(portal_id, order_id).locked = locked

    # ---- faults ----------------------------------------------------------------------------

    def set_fault(self, portal_id: int, spec: FaultSpec) -> None:
        self.portal(portal_id).fault = Fault.from_spec(spec, self.now())

    def clear_fault(self, portal_id: int) -> None:
        self.portal(portal_id).fault = None

    def take_fault(self, portal: Portal, method: str) -> Fault | None:
        """The fault this call runs into, if any; counts the call against `for_calls`."""
        fault = portal.fault
        if fault is None:
            return None
        if fault.expired(self.now()):
            portal.fault = None
            return None
        if not fault.hits(method):
            return None
        fault.consume()
        return fault

    # ---- call log --------------------------------------------------------------------------

    def record_call(
        self,
        portal_id: int | None,
        method: str,
        params: Mapping[str, object],
        *,
        status: int,
        outcome: str,
        error_description: str | None = None,
        batch_key: str | None = None,
    ) -> CallRecord:
        self._seq += 1
        record = CallRecord(
            seq=self._seq,
            portal_id=portal_id,
            method=method,
            params=dict(params),
            status=status,
            outcome=outcome,
            error_description=error_description,
            batch_key=batch_key,
            at=self.now(),
        )
        self._calls.append(record)
        if len(self._calls) > self.config.call_log_limit:
            del self._calls[: len(self._calls) - self.config.call_log_limit]
        return record

    def calls(
        self,
        portal_id: int | None = None,
        *,
        method: str | None = None,
        ok_only: bool = False,
    ) -> list[CallRecord]:
        """Calls in the order they arrived; `method` compares case-insensitively."""
        return [
            c
            for c in self._calls
            if (portal_id is None or c.portal_id == portal_id)
            and (method is None or c.method.lower() == method.lower())
            and (not ok_only or c.outcome == "ok")
        ]

    def reset(self) -> None:
        self.portals.clear()
        self._calls.clear()
        self._seq = 0
        if self.config.seed_demo:
            self.seed_demo()

    # ---- demo ------------------------------------------------------------------------------

    def seed_demo(self) -> PortalInfo:
        """The shop of bitrix-module-rest.md's example: order 10452, shipment 20871."""
        info = self.create_portal(
            PortalOptions(module_installed=True), user_id=DEMO_USER_ID, secret=DEMO_SECRET
        )
        self.seed_order(
            info.portal_id,
            OrderSeed(
                id=10452,
                basket=[
                    BasketItemSeed(
                        id=789,
                        name="Кружка",
                        price=Decimal("512.30"),
                        quantity=Decimal(2),
                        xml_id="A-100",
                        weight=350,
                    ),
                    BasketItemSeed(
                        id=790, name="Чайник", price=Decimal("1234.50"), xml_id="B-200", weight=1200
                    ),
                ],
                shipments=[ShipmentSeed(id=20871, delivery_id=12, price=Decimal("349.90"))],
                payments=[PaymentSeed(id=150, pay_system_id=2, paid=True)],
                properties={
                    "FIO": "Иван Петров",
                    "PHONE": "+79001234567",
                    "EMAIL": "ivan@example.com",
                    "ADDRESS": "Москва, ул. Тверская, 1",
                },
            ),
        )
        return info
