"""One emulated Ozon Rocket: accounts, orders, network, webhooks and faults, all in memory."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import Sequence
from decimal import Decimal

from app.domain.money import ZERO, money
from app.sandbox.ozon_rocket.auth import Grant, RateLimiter, TokenStore
from app.sandbox.ozon_rocket.config import SandboxConfig
from app.sandbox.ozon_rocket.errors import Details, SandboxError, validation_error
from app.sandbox.ozon_rocket.faults import FaultInjector
from app.sandbox.ozon_rocket.geography import City, find_city, find_warehouse, warehouse_city
from app.sandbox.ozon_rocket.network import PickupNetwork, PickupPoint, pristine_points
from app.sandbox.ozon_rocket.orders import Order, OrderBook, advance
from app.sandbox.ozon_rocket.pricing import Option, Parcel, quote
from app.sandbox.ozon_rocket.schemas import AddressIn, OrderIn, OrderStatus, PackageIn, QuoteIn
from app.sandbox.ozon_rocket.views import event_view
from app.sandbox.ozon_rocket.webhooks import Event, WebhookDispatcher
from app.sandbox.ozon_rocket.wire import Json, render_json

# The walk of the demo timer: every order that nobody touches ends up delivered.
AUTO_ADVANCE_PATH: dict[str, OrderStatus] = {
    "created": "in_transit",
    "in_transit": "arrived",
    "arrived": "delivered",
}


class SandboxState:
    """What `app.state.sandbox` holds; tests may call its methods directly instead of HTTP."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.clock = config.clock
        self._pristine_points = pristine_points(config.pickup_point_count, config.seed)
        self.webhooks = WebhookDispatcher(config, self.clock)
        self.faults = FaultInjector(config.hang_limit_seconds)
        self._timer: asyncio.Task[None] | None = None
        self._fresh_world()

    def _fresh_world(self) -> None:
        self.tokens = TokenStore(self.config, self.clock)
        self.rate_limiter = RateLimiter(self.config.rate_limit_per_second, self.clock)
        self.orders = OrderBook(self.config.seed)
        self.network = PickupNetwork(self._pristine_points)
        self.requests: Counter[str] = Counter()  # per path template of the Ozon API
        self.responses: Counter[int] = Counter()  # per status code

    async def reset(self) -> None:
        """Back to the state right after start: no tokens, orders, endpoints, faults or stats."""
        self.faults.clear()
        await self.webhooks.reset()
        self._fresh_world()

    # --- lifecycle: the demo timer and the webhook client ---

    def start(self) -> None:
        period = self.config.auto_advance_seconds
        if period and self._timer is None:
            self._timer = asyncio.get_running_loop().create_task(self._auto_advance(period))

    async def aclose(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._timer
            self._timer = None
        self.faults.clear()
        await self.webhooks.aclose()

    async def _auto_advance(self, period: float) -> None:
        while True:
            await asyncio.sleep(min(period / 4, 1.0))
            now = self.clock.now()
            for order in self.orders.all():
                step = AUTO_ADVANCE_PATH.get(order.status)
                if step and (now - order.updated_at).total_seconds() >= period:
                    self._change_status(order, step)

    # --- authentication ---

    def issue_token(self, api_key: str, seller_id: str) -> dict[str, Json]:
        self.rate_limiter.check(api_key)
        token, ttl = self.tokens.issue(api_key, seller_id)
        # "scope" is not in the contract: an extra field that clients must ignore.
        return {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": ttl,
            "scope": "logistics.full",
        }

    def authorize(self, authorization: str | None) -> Grant:
        """The caller behind a bearer header, counted against its key's rate limit."""
        grant = self.tokens.authenticate(authorization)
        self.rate_limiter.check(grant.api_key)
        key = grant.api_key
        if key.startswith("forbidden") or key in self.config.forbidden_api_keys:
            raise SandboxError(403, "FORBIDDEN", "The API key lacks rights for this seller")
        return grant

    def revoke_tokens(self, api_key: str) -> int:
        return self.tokens.revoke(api_key)

    # --- calculate ---

    def calculate(self, request: QuoteIn) -> list[Option]:
        to = request.to
        if to.delivery_type == "to_address":
            _require(to.address is not None, "to.address", "is required for to_address")
        else:
            _require(to.pickup_point_id is not None, "to.pickup_point_id", "is required")
        origin = self._warehouse_city(request.origin.warehouse_id)
        point = (
            self._active_point(to.pickup_point_id, "to.pickup_point_id")
            if to.delivery_type == "to_pickup_point" and to.pickup_point_id
            else None
        )
        destination = self._destination(point, to.address)
        if destination is None:
            return []  # no delivery to this city: not an error, per the contract
        parcels = _parcels(request.packages)
        return quote(
            origin, destination, parcels, request.declared_value, request.payment_method, point
        )

    # --- orders ---

    def create_order(self, seller_id: str, request: OrderIn) -> Order:
        # Uniqueness first: a client re-sending a create whose answer it lost must get the 409
        # with the existing order even if, say, its pickup point has closed since.
        existing = self.orders.by_number(seller_id, request.seller_order_number)
        if existing is not None:
            raise SandboxError(
                409,
                "ORDER_ALREADY_EXISTS",
                f"Order {request.seller_order_number} already exists",
                extra={"order_id": existing.order_id},
            )
        _check_order_fields(request)
        origin = self._warehouse_city(request.warehouse_id)
        point = None
        if request.delivery_type == "pickup_point" and request.pickup_point_id:
            point = self._active_point(request.pickup_point_id, "pickup_point_id")
        destination = self._destination(point, request.delivery_address)
        if destination is None:
            raise validation_error({"delivery_address.city": ["no delivery to this city"]})
        options = quote(
            origin,
            destination,
            _parcels(request.packages),
            request.declared_value,
            request.payment_method,
            point,
        )
        option = next((o for o in options if o.delivery_type == request.delivery_type), None)
        if option is None:
            raise validation_error(
                {"delivery_type": ["not available for this destination, parcel and payment method"]}
            )
        if request.option_id is not None and request.option_id != option.option_id:
            raise validation_error({"option_id": [f"must be {option.option_id} for this delivery"]})
        # Lockers (and any option without it) record the order as not partially acceptable.
        partial = request.allow_partial_acceptance and option.partial_acceptance
        return self.orders.add(seller_id, request, partial_acceptance=partial, now=self.clock.now())

    def get_order(self, seller_id: str, order_id: str) -> Order:
        return self.orders.of_seller(seller_id, order_id)

    def cancel_order(self, seller_id: str, order_id: str) -> Order:
        order = self.orders.of_seller(seller_id, order_id)
        if order.status == "cancelled":
            return order  # cancelling twice is 200 again, without a second event
        if order.status != "created":
            raise SandboxError(
                409,
                "ORDER_NOT_CANCELLABLE",
                f"Order {order_id} is {order.status}: only created orders can be cancelled",
            )
        self._change_status(order, "cancelled")
        return order

    async def advance_order(
        self,
        order_id: str,
        status: OrderStatus,
        *,
        accepted: Sequence[tuple[str, int]] | None = None,
        cod_collected: Decimal | None = None,
        notify: bool = True,
        wait: bool = False,
    ) -> Order:
        """Move any seller's order one step (the carrier's side of the story).

        `notify=False` loses the webhook for good; `wait=True` returns after its delivery run.
        """
        order = self.orders.get(order_id)
        if order is None:
            raise SandboxError(404, "ORDER_NOT_FOUND", f"Order {order_id} not found")
        event = self._change_status(
            order, status, accepted=accepted, cod_collected=cod_collected, notify=notify
        )
        if wait and event is not None:
            await self.webhooks.wait(event.event_id)
        return order

    def _change_status(
        self,
        order: Order,
        status: OrderStatus,
        *,
        accepted: Sequence[tuple[str, int]] | None = None,
        cod_collected: Decimal | None = None,
        notify: bool = True,
    ) -> Event | None:
        advance(order, status, self.clock.now(), accepted=accepted, cod_collected=cod_collected)
        return self._publish(order) if notify else None

    def _publish(self, order: Order) -> Event:
        change = order.history[-1]
        event_id = self.webhooks.new_event_id()
        event = Event(
            event_id,
            order.seller_id,
            order.order_id,
            change.status,
            render_json(event_view(event_id, order, change)),
        )
        self.webhooks.publish(event)
        return event

    async def redeliver(self, event_id: str, *, wait: bool = False) -> Event:
        """Send a past event again, same id and body: how duplicates reach the receiver."""
        event = self.webhooks.events.get(event_id)
        if event is None:
            raise SandboxError(404, "EVENT_NOT_FOUND", f"Event {event_id} not found")
        if self.webhooks.deliver(event) is None:
            raise SandboxError(409, "NO_WEBHOOK", f"Seller {event.seller_id} has no webhook URL")
        if wait:
            await self.webhooks.wait(event_id)
        return event

    # --- lookups shared by calculate and orders ---

    def _warehouse_city(self, warehouse_id: str) -> City:
        warehouse = find_warehouse(warehouse_id)
        if warehouse is None:
            raise SandboxError(404, "WAREHOUSE_NOT_FOUND", f"Warehouse {warehouse_id} not found")
        return warehouse_city(warehouse)

    def _active_point(self, point_id: str, field: str) -> PickupPoint:
        point = self.network.get(point_id)
        if point is None:
            raise validation_error({field: ["pickup point not found"]})
        if not point.is_active:
            raise validation_error({field: ["pickup point is not active"]})
        return point

    def _destination(self, point: PickupPoint | None, address: AddressIn | None) -> City | None:
        if point is not None:
            return find_city(point.city)
        return find_city(address.city) if address is not None else None

    # --- statistics ---

    def record_request(self, path: str, status: int) -> None:
        self.requests[path] += 1
        self.responses[status] += 1

    @property
    def token_issuances(self) -> int:
        return sum(self.tokens.issued.values())

    def stats(self) -> dict[str, Json]:
        events = list(self.webhooks.events.values())
        return {
            "token_issuances": self.token_issuances,
            "token_issuances_by_key": {
                _mask(key): count for key, count in sorted(self.tokens.issued.items())
            },
            "requests": dict(sorted(self.requests.items())),
            "responses_by_status": {str(code): n for code, n in sorted(self.responses.items())},
            "orders": len(self.orders),
            "pickup_points": len(self.network),
            "webhooks": {
                "events": len(events),
                "delivered": sum(event.delivered for event in events),
                "attempts": sum(len(event.attempts) for event in events),
            },
        }


def _mask(api_key: str) -> str:
    return "****" + api_key[-4:] if len(api_key) > 8 else "****"


def _require(condition: bool, field: str, message: str) -> None:
    if not condition:
        raise validation_error({field: [message]})


def _parcels(packages: Sequence[PackageIn]) -> list[Parcel]:
    return [Parcel(p.weight, p.length, p.width, p.height) for p in packages]


def _check_order_fields(request: OrderIn) -> None:
    """The rules that tie fields together (the shape is already checked by the schema)."""
    details: Details = {}
    seen: set[str] = set()
    for index, item in enumerate(request.items):
        if item.sku in seen:
            details[f"items[{index}].sku"] = ["must be unique within the order"]
        seen.add(item.sku)
    declared = money(sum((i.declared_price * i.quantity for i in request.items), ZERO))
    if declared != request.declared_value:
        details["declared_value"] = [
            f"must equal the sum of items[].declared_price * quantity ({declared:.2f})"
        ]
    if request.delivery_type == "pickup_point" and not request.pickup_point_id:
        details["pickup_point_id"] = ["is required for pickup_point delivery"]
    if request.delivery_type != "pickup_point" and request.delivery_address is None:
        details["delivery_address"] = [f"is required for {request.delivery_type} delivery"]
    if details:
        raise validation_error(details)
