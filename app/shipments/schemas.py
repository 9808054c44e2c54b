"""Shipment bodies as bridge-api.md names them."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from decimal import Decimal
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from app.domain.carrier import DeliveryType, PaymentMethod
from app.returns.schemas import ReturnOut
from app.schemas import Money, MoneyOut, StrictModel
from app.shops.schemas import Package

_PHONE_NOISE = re.compile(r"[\s()\-.]")
_RU_MOBILE = re.compile(r"^\+79\d{9}$")


def normalize_phone(raw: str) -> str:
    """'8 (916) 123-45-67' → '+79161234567'; anything else is left for the check to refuse."""
    digits = _PHONE_NOISE.sub("", raw)
    if re.fullmatch(r"8\d{10}", digits):
        digits = "+7" + digits[1:]
    elif re.fullmatch(r"7\d{10}", digits):
        digits = "+" + digits
    return digits


class Recipient(StrictModel):
    name: str = Field(min_length=1, max_length=200, examples=["Иван Петров"])
    phone: str = Field(
        max_length=32,
        description="Russian mobile in E.164 (+79XXXXXXXXX); 8 (916) 123-45-67 is normalised.",
        examples=["+79161234567"],
    )
    email: str | None = Field(default=None, max_length=200)

    @field_validator("phone")
    @classmethod
    def _e164_mobile(cls, value: str) -> str:
        phone = normalize_phone(value)
        if not _RU_MOBILE.match(phone):
            raise ValueError("must be a Russian mobile number in E.164, like +79161234567")
        return phone


class ShipmentAddress(StrictModel):
    city: str = Field(min_length=1, max_length=200)
    street: str | None = Field(default=None, max_length=300)
    house: str | None = Field(default=None, max_length=50)
    apartment: str | None = Field(default=None, max_length=50)
    zip: str | None = Field(default=None, max_length=12)


class ItemIn(StrictModel):
    bitrix_basket_item_id: int = Field(ge=1)
    sku: str = Field(min_length=1, max_length=100)
    name: str = Field(min_length=1, max_length=500)
    quantity: int = Field(gt=0, le=100_000, strict=True)
    price: Money
    declared_price: Money


class ShipmentCreate(StrictModel):
    shop_id: uuid.UUID
    bitrix_delivery_id: int = Field(ge=1, le=2_147_483_647)
    # BIGINT columns: a larger id is a 422, not an overflow in the database.
    bitrix_order_id: int = Field(ge=1, le=2**63 - 1)
    bitrix_shipment_id: int = Field(ge=1, le=2**63 - 1)
    delivery_type: DeliveryType
    option_id: str | None = Field(default=None, max_length=100)
    pickup_point_id: str | None = Field(default=None, max_length=64)
    recipient: Recipient
    address: ShipmentAddress | None = None
    packages: list[Package] | None = Field(default=None, min_length=1, max_length=20)
    items: list[ItemIn] = Field(min_length=1, max_length=500)
    payment_method: PaymentMethod
    paid_amount: Money = Field(
        default=Decimal("0.00"), description="What the buyer already paid (prepaid)"
    )
    declared_value: Money
    delivery_price: Money | None = Field(
        default=None,
        description=(
            "What the buyer pays for delivery. Used for partial acceptance; when omitted, "
            "the part of paid_amount above declared_value is taken as the delivery price."
        ),
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.delivery_type == "pickup_point" and not self.pickup_point_id:
            raise ValueError("pickup_point_id is required when delivery_type is pickup_point")
        if self.delivery_type in ("courier", "next_day") and self.address is None:
            raise ValueError(f"address is required when delivery_type is {self.delivery_type}")
        return self

    model_config = StrictModel.model_config | {
        "json_schema_extra": {
            "examples": [
                {
                    "shop_id": "3f1c1f0e-8a64-4a39-9f2e-3f6f1c1f0e8a",
                    "bitrix_delivery_id": 12,
                    "bitrix_order_id": 10452,
                    "bitrix_shipment_id": 20871,
                    "delivery_type": "courier",
                    "option_id": "opt_courier_std",
                    "recipient": {"name": "Иван Петров", "phone": "+79161234567"},
                    "address": {"city": "Москва", "street": "Тверская", "house": "7"},
                    "packages": [{"weight": 1200, "length": 300, "width": 200, "height": 100}],
                    "items": [
                        {
                            "bitrix_basket_item_id": 789,
                            "sku": "A-100",
                            "name": "Кружка",
                            "quantity": 2,
                            "price": 500.00,
                            "declared_price": 500.00,
                        },
                        {
                            "bitrix_basket_item_id": 790,
                            "sku": "B-200",
                            "name": "Чайник",
                            "quantity": 1,
                            "price": 3990.00,
                            "declared_price": 3990.00,
                        },
                    ],
                    "payment_method": "prepaid",
                    "paid_amount": 4990.00,
                    "declared_value": 4990.00,
                }
            ]
        }
    }


class ItemOut(BaseModel):
    bitrix_basket_item_id: int
    sku: str
    name: str
    quantity: int
    price: MoneyOut
    declared_price: MoneyOut
    accepted_quantity: int | None
    returned_quantity: int | None


class StatusChangeOut(BaseModel):
    status: str
    previous_status: str | None
    source: str
    event_id: str | None
    occurred_at: datetime
    recorded_at: datetime


class ShipmentOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: uuid.UUID
    shop_id: uuid.UUID
    bitrix_delivery_id: int
    bitrix_order_id: int
    bitrix_shipment_id: int
    ozon_order_id: str | None
    seller_order_number: str
    tracking_number: str | None
    status: str = Field(description="Ozon status; `pending` until Ozon confirmed the order")
    bitrix_status_id: str | None = Field(description="The Bitrix status last pushed to the shop")
    delivery_type: str
    option_id: str | None
    pickup_point_id: str | None
    payment_method: str
    declared_value: MoneyOut
    paid_amount: MoneyOut
    cod_collected: MoneyOut | None
    items: list[ItemOut]
    status_history: list[StatusChangeOut]
    last_error: str | None
    return_: ReturnOut | None = Field(
        default=None,
        alias="return",
        description="After partial acceptance or refusal: what comes back and the refund",
    )
    created_at: datetime
    updated_at: datetime


class ShipmentPage(BaseModel):
    items: list[ShipmentOut]
    total: int
    limit: int
    offset: int
