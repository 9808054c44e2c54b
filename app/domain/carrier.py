"""The carrier port: what the bridge needs from a delivery network, in domain words.

The Ozon Rocket adapter (app.ozon) implements it; a second adapter (Ozon's older
principal-integration-api) would implement the same protocol.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal, Protocol

DeliveryType = Literal["courier", "pickup_point", "next_day"]
Destination = Literal["to_address", "to_pickup_point"]
PaymentMethod = Literal["prepaid", "cash_on_delivery"]


@dataclass(frozen=True)
class CarrierCredentials:
    api_key: str
    seller_id: str

    def __repr__(self) -> str:  # never print the key
        return f"CarrierCredentials(seller_id={self.seller_id!r}, api_key='****')"


@dataclass(frozen=True)
class Package:
    weight: int  # grams
    length: int  # millimetres
    width: int
    height: int


@dataclass(frozen=True)
class Address:
    city: str
    street: str | None = None
    house: str | None = None
    apartment: str | None = None
    zip: str | None = None


@dataclass(frozen=True)
class QuoteRequest:
    warehouse_id: str
    destination: Destination
    address: Address | None
    pickup_point_id: str | None
    packages: tuple[Package, ...]
    declared_value: Decimal
    payment_method: PaymentMethod = "prepaid"


@dataclass(frozen=True)
class DeliveryOption:
    option_id: str
    delivery_type: DeliveryType
    tariff: str
    price: Decimal
    currency: str
    days_min: int
    days_max: int
    partial_acceptance: bool
    cash_on_delivery: bool


@dataclass(frozen=True)
class OrderItem:
    sku: str
    name: str
    quantity: int
    price: Decimal
    declared_price: Decimal


@dataclass(frozen=True)
class Recipient:
    name: str
    phone: str
    email: str | None = None


@dataclass(frozen=True)
class OrderRequest:
    seller_order_number: str
    warehouse_id: str
    delivery_type: DeliveryType
    option_id: str | None
    pickup_point_id: str | None
    recipient: Recipient
    address: Address | None
    packages: tuple[Package, ...]
    items: tuple[OrderItem, ...]
    payment_method: PaymentMethod
    declared_value: Decimal
    allow_partial_acceptance: bool


@dataclass(frozen=True)
class CreatedOrder:
    order_id: str
    seller_order_number: str
    status: str
    tracking_number: str | None
    created_at: datetime | None
    # True when the order already existed (a lost response recovered via 409).
    recovered: bool = False


@dataclass(frozen=True)
class ItemOutcome:
    sku: str
    quantity: int
    accepted_quantity: int | None
    returned_quantity: int | None


@dataclass(frozen=True)
class StatusEntry:
    status: str
    at: datetime


@dataclass(frozen=True)
class OrderState:
    order_id: str
    seller_order_number: str
    status: str
    tracking_number: str | None
    updated_at: datetime | None
    status_history: tuple[StatusEntry, ...] = ()
    items: tuple[ItemOutcome, ...] = ()
    cod_collected: Decimal | None = None


@dataclass(frozen=True)
class PickupPoint:
    id: str
    type: Literal["pvz", "locker"]
    name: str
    city: str
    address: str
    lat: float
    lon: float
    working_hours: str | None
    max_weight: int | None
    max_length: int | None
    max_width: int | None
    max_height: int | None
    cash_on_delivery: bool
    card_payment: bool
    partial_acceptance: bool
    is_active: bool
    updated_at: datetime | None


@dataclass(frozen=True)
class PickupPointPage:
    points: tuple[PickupPoint, ...]
    next_page_token: str | None


# --- errors the adapter raises; the API layer turns them into problem+json ---


class CarrierError(Exception):
    """Base of everything the carrier adapter raises on purpose."""

    def __init__(
        self,
        message: str,
        *,
        error_code: str | None = None,
        status: int | None = None,
        details: dict[str, list[str]] | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.error_code = error_code
        self.status = status
        self.details = details or {}
        self.request_id = request_id


class CarrierValidationError(CarrierError):
    """The carrier says our request is wrong (400/422): do not retry; show details."""


class CarrierAuthError(CarrierError):
    """The API key or seller is not accepted (401 INVALID_API_KEY, 403)."""


class CarrierNotFound(CarrierError):
    """ORDER_NOT_FOUND, WAREHOUSE_NOT_FOUND."""


class CarrierConflict(CarrierError):
    """409: ORDER_ALREADY_EXISTS (with existing_order_id) or ORDER_NOT_CANCELLABLE."""

    def __init__(
        self,
        message: str,
        *,
        error_code: str | None = None,
        status: int | None = None,
        request_id: str | None = None,
        existing_order_id: str | None = None,
    ) -> None:
        super().__init__(message, error_code=error_code, status=status, request_id=request_id)
        self.existing_order_id = existing_order_id


class CarrierUnavailableError(CarrierError):
    """Transient failure that outlasted the retries or the deadline (5xx, 429, timeout, network)."""


class Carrier(Protocol):
    async def calculate(
        self, creds: CarrierCredentials, request: QuoteRequest, *, deadline: float | None = None
    ) -> list[DeliveryOption]: ...

    async def create_order(self, creds: CarrierCredentials, request: OrderRequest) -> CreatedOrder:
        """Not idempotent at the carrier: never retried blindly; 409 means the existing order."""
        ...

    async def get_order(self, creds: CarrierCredentials, order_id: str) -> OrderState: ...

    async def cancel_order(self, creds: CarrierCredentials, order_id: str) -> str: ...

    async def list_pickup_points(
        self,
        creds: CarrierCredentials,
        *,
        city: str | None = None,
        page_token: str | None = None,
        limit: int = 500,
    ) -> PickupPointPage: ...
