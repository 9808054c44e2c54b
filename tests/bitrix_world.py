"""Test helpers: a shop wired to a Bitrix emulator portal holding its orders."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
from fastapi import FastAPI

from app.bitrix.status_setup import ensure_delivery_statuses
from app.domain.statuses import DEFAULT_STATUS_DEFS
from app.outbox.dispatcher import Dispatcher
from app.sandbox.bitrix.portal import PortalOptions
from app.sandbox.bitrix.seed import BasketItemSeed, OrderSeed, PaymentSeed, ShipmentSeed
from app.sandbox.bitrix.state import BitrixSandbox
from app.workers import build_dispatcher
from tests.conftest import ShopHandle


@dataclass
class Portal:
    state: BitrixSandbox
    portal_id: int
    url: str

    def shipment(self, shipment_id: int) -> dict[str, Any]:
        view: dict[str, Any] = self.state.shipment_state(self.portal_id, shipment_id)["shipment"]  # type: ignore[assignment]
        return view

    def order(self, order_id: int) -> dict[str, Any]:
        view: dict[str, Any] = self.state.order_state(self.portal_id, order_id)["order"]  # type: ignore[assignment]
        return view

    def status_updates(self, shipment_id: int) -> list[str]:
        """Every status Bitrix accepted for the shipment, in the order it arrived."""
        out = []
        for call in self.state.calls(self.portal_id, ok_only=True):
            params: dict[str, Any] = call.params
            if call.method == "sale.shipment.update" and int(params.get("id", 0)) == shipment_id:
                out.append(str(params["fields"]["statusId"]))
            if (
                call.method == "ozonrocket.shipment.status"
                and int(params["shipmentId"]) == shipment_id
            ):
                out.append(str(params["statusId"]))
        return out

    def seed(
        self, order_id: int, shipment_id: int, *, paid: bool = True, deducted: bool = False
    ) -> None:
        self.state.seed_order(
            self.portal_id,
            OrderSeed(
                id=order_id,
                basket=[
                    BasketItemSeed(
                        id=order_id * 10 + 1,
                        name="Кружка",
                        price=Decimal(500),
                        quantity=Decimal(2),
                        xml_id="A-100",
                    ),
                    BasketItemSeed(
                        id=order_id * 10 + 2,
                        name="Чайник",
                        price=Decimal(3990),
                        quantity=Decimal(1),
                        xml_id="B-200",
                    ),
                ],
                shipments=[
                    ShipmentSeed(
                        id=shipment_id,
                        delivery_id=12,
                        price=Decimal("349.90"),
                        allow_delivery=True,
                        deducted=deducted,
                    )
                ],
                payments=[PaymentSeed(id=order_id * 10, paid=paid)],
            ),
        )


async def wire_bitrix(
    app: FastAPI,
    client: httpx.AsyncClient,
    bitrix_sandbox: FastAPI,
    shop: ShopHandle,
    *,
    module: bool = False,
    setup_statuses: bool = True,
    **options: Any,
) -> Portal:
    state: BitrixSandbox = bitrix_sandbox.state.bitrix
    info = state.create_portal(PortalOptions(module_installed=module, **options))
    url = "https://bitrix.test" + info.webhook_path
    resp = await client.patch(
        f"/api/v1/shops/{shop.id}",
        json={"bitrix_rest_url": url, "bitrix_module": module},
        headers=shop.headers,
    )
    assert resp.status_code == 200, resp.text
    if setup_statuses:
        report = await ensure_delivery_statuses(
            app.state.runtime.bitrix, url, list(DEFAULT_STATUS_DEFS.values())
        )
        assert not report.failed
    return Portal(state=state, portal_id=info.portal_id, url=url)


def dispatcher(app: FastAPI) -> Dispatcher:
    return build_dispatcher(app.state.runtime)


async def drain(app: FastAPI, rounds: int = 20) -> int:
    """Run dispatcher rounds until nothing is left to settle now."""
    d = dispatcher(app)
    total = 0
    for _ in range(rounds):
        settled = await d.run_once()
        total += settled
        if settled == 0:
            break
    return total
