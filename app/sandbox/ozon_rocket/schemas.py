"""Request bodies of the emulated API, validated as strictly as the real service would."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Annotated, Literal, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from app.sandbox.ozon_rocket.errors import details_from_errors, validation_error

OrderStatus = Literal[
    "created", "in_transit", "arrived", "delivered", "partial_delivered", "returned", "cancelled"
]
PaymentMethod = Literal["prepaid", "cash_on_delivery"]

_RUSSIAN_MOBILE = re.compile(r"\+79\d{9}")


def _json_number(value: object) -> object:
    # Money is a JSON number (parsed straight to Decimal); a string or a bool is a client bug.
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise PydanticCustomError("number_type", "must be a number")
    return Decimal(value)


Money = Annotated[Decimal, BeforeValidator(_json_number), Field(ge=0, decimal_places=2)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]
Grams = Annotated[int, Field(gt=0, le=1_000_000)]
Millimetres = Annotated[int, Field(gt=0, le=10_000)]


class _Body(BaseModel):
    # Strict: 1200.0 is not a weight and "1" is not a quantity. Unknown fields are ignored.
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)


class PackageIn(_Body):
    weight: Grams
    length: Millimetres
    width: Millimetres
    height: Millimetres


class AddressIn(_Body):
    city: Text
    street: str | None = None
    house: str | None = None
    apartment: str | None = None
    zip: str | None = None


class TokenIn(_Body):
    api_key: Text
    seller_id: Text


class QuoteOrigin(_Body):
    warehouse_id: Text


class QuoteDestination(_Body):
    delivery_type: Literal["to_address", "to_pickup_point"]
    address: AddressIn | None = None
    pickup_point_id: Text | None = None


class QuoteIn(_Body):
    model_config = ConfigDict(populate_by_name=True)

    origin: QuoteOrigin = Field(alias="from")
    to: QuoteDestination
    packages: Annotated[list[PackageIn], Field(min_length=1, max_length=200)]
    declared_value: Money
    payment_method: PaymentMethod = "prepaid"


class RecipientIn(_Body):
    name: Text
    phone: str
    email: str | None = None

    @field_validator("phone")
    @classmethod
    def _russian_mobile(cls, phone: str) -> str:
        if not _RUSSIAN_MOBILE.fullmatch(phone):
            raise PydanticCustomError("phone", "must be a Russian mobile number: +79XXXXXXXXX")
        return phone

    @field_validator("email")
    @classmethod
    def _email(cls, email: str | None) -> str | None:
        if email is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
            raise PydanticCustomError("email", "must be an e-mail address")
        return email


class ItemIn(_Body):
    sku: Text
    name: Text
    quantity: Annotated[int, Field(gt=0, le=10_000)]
    price: Money
    declared_price: Money


class OrderIn(_Body):
    seller_order_number: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    warehouse_id: Text
    delivery_type: Literal["courier", "pickup_point", "next_day"]
    option_id: str | None = None
    pickup_point_id: Text | None = None
    recipient: RecipientIn
    delivery_address: AddressIn | None = None
    packages: Annotated[list[PackageIn], Field(min_length=1, max_length=200)]
    items: Annotated[list[ItemIn], Field(min_length=1, max_length=500)]
    payment_method: PaymentMethod = "prepaid"
    declared_value: Money
    allow_partial_acceptance: bool = False


M = TypeVar("M", bound=BaseModel)


def _no_constants(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def parse_body(raw: bytes, model: type[M]) -> M:
    """Validate a raw body; fractions are read as Decimal so money never passes through float."""
    try:
        data = json.loads(raw, parse_float=Decimal, parse_constant=_no_constants)
    except ValueError:
        raise validation_error({"body": ["must be a valid JSON document"]}) from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise validation_error(details_from_errors(exc.errors())) from None


# --- control bodies (the /_sandbox/ endpoints; FastAPI validates them) ---


class AcceptedItemIn(BaseModel):
    sku: str
    accepted_quantity: Annotated[int, Field(ge=0)]


class AdvanceIn(BaseModel):
    status: OrderStatus
    items: list[AcceptedItemIn] | None = None
    cod_collected: Annotated[Decimal, Field(ge=0, decimal_places=2)] | None = None


class WebhookIn(BaseModel):
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")]
    secret: Annotated[str, StringConstraints(min_length=1)] | None = None
    # Several secrets sign every delivery with several v1 entries, as during a rotation.
    secrets: list[Annotated[str, StringConstraints(min_length=1)]] | None = None

    @model_validator(mode="after")
    def _some_secret(self) -> WebhookIn:
        if not self.all_secrets():
            raise PydanticCustomError("secret", "a secret (or secrets) is required to sign")
        return self

    def all_secrets(self) -> list[str]:
        return [*([self.secret] if self.secret else []), *(self.secrets or [])]


class RevokeIn(BaseModel):
    api_key: Annotated[str, StringConstraints(min_length=1)]


class ClockIn(BaseModel):
    advance_seconds: Annotated[float, Field(ge=0, le=10 * 365 * 86400)]


class FaultIn(BaseModel):
    path_prefix: str = "/v1/"
    method: str | None = None
    latency_ms: Annotated[int, Field(ge=0, le=600_000)] = 0
    hang: bool = False
    status: Annotated[int, Field(ge=400, le=599)] | None = None
    error_code: str | None = None
    retry_after: Annotated[int, Field(ge=0)] | None = None
    count: Annotated[int, Field(ge=1)] | None = None
    # "response": the call is carried out, then its answer is replaced (a lost response).
    phase: Literal["request", "response"] = "request"


class PointPatchIn(BaseModel):
    is_active: bool | None = None
    name: str | None = None
    address: str | None = None
    working_hours: str | None = None
    cash_on_delivery: bool | None = None
    card_payment: bool | None = None
    max_weight: Annotated[int, Field(gt=0)] | None = None


class PointIn(BaseModel):
    type: Literal["pvz", "locker"]
    name: Annotated[str, StringConstraints(min_length=1)]
    city: Annotated[str, StringConstraints(min_length=1)]
    address: Annotated[str, StringConstraints(min_length=1)]
    lat: Annotated[float, Field(ge=-90, le=90)]
    lon: Annotated[float, Field(ge=-180, le=180)]
    working_hours: str = "Пн-Вс 10:00-21:00"
    max_weight: Annotated[int, Field(gt=0)] = 25000
    max_length: Annotated[int, Field(gt=0)] = 1200
    max_width: Annotated[int, Field(gt=0)] = 800
    max_height: Annotated[int, Field(gt=0)] = 800
    cash_on_delivery: bool = True
    card_payment: bool = True
    is_active: bool = True
