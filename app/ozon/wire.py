"""Ozon Rocket's JSON: exact-Decimal encoding and decoding, request bodies, response models."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Literal, TypeAlias, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, SecretStr, ValidationError

from app.domain.carrier import (
    Address,
    CarrierCredentials,
    CreatedOrder,
    DeliveryOption,
    ItemOutcome,
    OrderRequest,
    OrderState,
    Package,
    PickupPoint,
    QuoteRequest,
    StatusEntry,
)
from app.domain.money import money

Json: TypeAlias = "dict[str, Json] | list[Json] | str | int | bool | Decimal | None"

# --- encoding: our bodies, money as a JSON number with exactly two decimals ---


def encode_json(value: Json) -> bytes:
    """UTF-8 JSON where every Decimal (in our bodies: money) is written as a number like 4990.00.

    json.dumps cannot write a Decimal as a number without going through float, hence this
    small writer for the few shapes our request bodies use.
    """
    return _encode(value).encode()


def _encode(value: Json) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):  # before int: bool is an int
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError("money must be finite")
        return format(money(value), "f")
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ",".join(_encode(item) for item in value) + "]"
    return (
        "{"
        + ",".join(f"{json.dumps(k, ensure_ascii=False)}:{_encode(v)}" for k, v in value.items())
        + "}"
    )


def decode_json(raw: bytes) -> object:
    """Parse a response body; fractions become Decimal so no price ever passes through float."""
    return json.loads(raw, parse_float=Decimal)


def _compact(fields: dict[str, Json]) -> dict[str, Json]:
    # Optional fields are left out rather than sent as null: the contract marks them optional.
    return {key: value for key, value in fields.items() if value is not None}


def token_body(creds: CarrierCredentials) -> dict[str, Json]:
    return {"api_key": creds.api_key, "seller_id": creds.seller_id}


def _package(package: Package) -> Json:
    return {
        "weight": package.weight,
        "length": package.length,
        "width": package.width,
        "height": package.height,
    }


def _address(address: Address | None) -> Json:
    if address is None:
        return None
    return _compact(
        {
            "city": address.city,
            "street": address.street,
            "house": address.house,
            "apartment": address.apartment,
            "zip": address.zip,
        }
    )


def quote_body(request: QuoteRequest) -> dict[str, Json]:
    return {
        "from": {"warehouse_id": request.warehouse_id},
        "to": _compact(
            {
                "delivery_type": request.destination,
                "address": _address(request.address),
                "pickup_point_id": request.pickup_point_id,
            }
        ),
        "packages": [_package(p) for p in request.packages],
        "declared_value": request.declared_value,
        "payment_method": request.payment_method,
    }


def order_body(request: OrderRequest) -> dict[str, Json]:
    recipient = request.recipient
    return _compact(
        {
            "seller_order_number": request.seller_order_number,
            "warehouse_id": request.warehouse_id,
            "delivery_type": request.delivery_type,
            "option_id": request.option_id,
            "pickup_point_id": request.pickup_point_id,
            "recipient": _compact(
                {"name": recipient.name, "phone": recipient.phone, "email": recipient.email}
            ),
            "delivery_address": _address(request.address),
            "packages": [_package(p) for p in request.packages],
            "items": [
                {
                    "sku": item.sku,
                    "name": item.name,
                    "quantity": item.quantity,
                    "price": item.price,
                    "declared_price": item.declared_price,
                }
                for item in request.items
            ],
            "payment_method": request.payment_method,
            "declared_value": request.declared_value,
            "allow_partial_acceptance": request.allow_partial_acceptance,
        }
    )


# --- decoding: response models; unknown fields are ignored, the carrier adds them freely ---


def _utc(value: datetime) -> datetime:
    # The contract promises an offset; a naive time is read as UTC rather than rejected.
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


UtcDatetime = Annotated[datetime, AfterValidator(_utc)]
Money = Annotated[Decimal, AfterValidator(money)]


class _Wire(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


M = TypeVar("M", bound=_Wire)


def parse_each(model: type[M], raw_items: list[object]) -> tuple[list[M], int]:
    """Valid entries and the number skipped: one odd entry must not hide all the others."""
    parsed: list[M] = []
    for raw in raw_items:
        try:
            parsed.append(model.model_validate(raw))
        except ValidationError:
            continue
    return parsed, len(raw_items) - len(parsed)


class ErrorWire(_Wire):
    error_code: str | None = None
    message: str | None = None
    details: object = None
    order_id: str | None = None

    def details_map(self) -> dict[str, list[str]]:
        """`details` as field -> messages, whatever shape the carrier actually sent."""
        if not isinstance(self.details, dict):
            return {}
        out: dict[str, list[str]] = {}
        for key, value in self.details.items():
            values = value if isinstance(value, list) else [value]
            out[str(key)] = [str(v) for v in values]
        return out


class TokenWire(_Wire):
    access_token: SecretStr
    expires_in: int = Field(gt=0)


class OptionWire(_Wire):
    option_id: str
    delivery_type: Literal["courier", "pickup_point", "next_day"]
    tariff: str
    price: Money
    currency: str = "RUB"
    days_min: int
    days_max: int
    partial_acceptance: bool = False
    cash_on_delivery: bool = False

    def to_domain(self) -> DeliveryOption:
        return DeliveryOption(
            option_id=self.option_id,
            delivery_type=self.delivery_type,
            tariff=self.tariff,
            price=self.price,
            currency=self.currency,
            days_min=self.days_min,
            days_max=self.days_max,
            partial_acceptance=self.partial_acceptance,
            cash_on_delivery=self.cash_on_delivery,
        )


class CalculateWire(_Wire):
    options: list[object]


class CreatedOrderWire(_Wire):
    order_id: str
    seller_order_number: str
    status: str
    tracking_number: str | None = None
    created_at: UtcDatetime | None = None

    def to_domain(self) -> CreatedOrder:
        return CreatedOrder(
            order_id=self.order_id,
            seller_order_number=self.seller_order_number,
            status=self.status,
            tracking_number=self.tracking_number,
            created_at=self.created_at,
        )


class StatusEntryWire(_Wire):
    status: str
    at: UtcDatetime


class ItemOutcomeWire(_Wire):
    sku: str
    quantity: int
    accepted_quantity: int | None = None
    returned_quantity: int | None = None


class OrderWire(_Wire):
    order_id: str
    seller_order_number: str
    status: str
    tracking_number: str | None = None
    updated_at: UtcDatetime | None = None
    status_history: list[StatusEntryWire] = []
    items: list[ItemOutcomeWire] = []
    cod_collected: Money | None = None

    def to_domain(self) -> OrderState:
        return OrderState(
            order_id=self.order_id,
            seller_order_number=self.seller_order_number,
            status=self.status,
            tracking_number=self.tracking_number,
            updated_at=self.updated_at,
            status_history=tuple(StatusEntry(e.status, e.at) for e in self.status_history),
            items=tuple(
                ItemOutcome(i.sku, i.quantity, i.accepted_quantity, i.returned_quantity)
                for i in self.items
            ),
            cod_collected=self.cod_collected,
        )

    def created_at(self) -> datetime | None:
        return next((e.at for e in self.status_history if e.status == "created"), None)


class CancelWire(_Wire):
    order_id: str
    status: str


class PickupPointWire(_Wire):
    id: str
    type: Literal["pvz", "locker"]
    name: str
    city: str
    address: str
    lat: float
    lon: float
    working_hours: str | None = None
    max_weight: int | None = None
    max_length: int | None = None
    max_width: int | None = None
    max_height: int | None = None
    cash_on_delivery: bool = False
    card_payment: bool = False
    partial_acceptance: bool = False
    # Listed means offered, unless the carrier says otherwise.
    is_active: bool = True
    updated_at: UtcDatetime | None = None

    def to_domain(self) -> PickupPoint:
        return PickupPoint(
            id=self.id,
            type=self.type,
            name=self.name,
            city=self.city,
            address=self.address,
            lat=self.lat,
            lon=self.lon,
            working_hours=self.working_hours,
            max_weight=self.max_weight,
            max_length=self.max_length,
            max_width=self.max_width,
            max_height=self.max_height,
            cash_on_delivery=self.cash_on_delivery,
            card_payment=self.card_payment,
            # The contract says lockers never accept partially; do not trust a stray flag.
            partial_acceptance=self.partial_acceptance and self.type != "locker",
            is_active=self.is_active,
            updated_at=self.updated_at,
        )


class PickupPageWire(_Wire):
    points: list[object]
    next_page_token: str | None = None
