"""Calculate request and answer, shaped for the Bitrix handler's CalculationResult."""

from __future__ import annotations

import uuid
from typing import Self

from pydantic import BaseModel, Field, model_validator

from app.domain.carrier import DeliveryType, Destination, PaymentMethod
from app.schemas import Money, MoneyOut, StrictModel
from app.shops.schemas import Package


class AddressIn(StrictModel):
    city: str = Field(min_length=1, max_length=200, examples=["Москва"])
    street: str | None = Field(default=None, max_length=300)
    house: str | None = Field(default=None, max_length=50)
    apartment: str | None = Field(default=None, max_length=50)
    zip: str | None = Field(default=None, max_length=12)


class CalculateRequest(StrictModel):
    shop_id: uuid.UUID
    bitrix_delivery_id: int = Field(ge=1, le=2_147_483_647)
    delivery_type: Destination = Field(description="to_address | to_pickup_point")
    address: AddressIn | None = None
    pickup_point_id: str | None = Field(default=None, min_length=1, max_length=64)
    packages: list[Package] | None = Field(
        default=None,
        min_length=1,
        max_length=20,
        description="Omit to use the delivery service's default package.",
    )
    declared_value: Money
    payment_method: PaymentMethod = "prepaid"

    @model_validator(mode="after")
    def _destination_is_complete(self) -> Self:
        if self.delivery_type == "to_address" and self.address is None:
            raise ValueError("address (with at least city) is required for to_address")
        if self.delivery_type == "to_pickup_point" and self.pickup_point_id is None:
            raise ValueError("pickup_point_id is required for to_pickup_point")
        return self

    model_config = StrictModel.model_config | {
        "json_schema_extra": {
            "examples": [
                {
                    "shop_id": "3f1c1f0e-8a64-4a39-9f2e-3f6f1c1f0e8a",
                    "bitrix_delivery_id": 12,
                    "delivery_type": "to_address",
                    "address": {"city": "Москва", "street": "Тверская", "house": "7"},
                    "packages": [{"weight": 1200, "length": 300, "width": 200, "height": 100}],
                    "declared_value": 4990.00,
                    "payment_method": "prepaid",
                }
            ]
        }
    }


class OptionOut(BaseModel):
    option_id: str
    delivery_type: DeliveryType
    tariff: str
    price: MoneyOut = Field(description="What the buyer pays, after the shop's rules")
    carrier_price: MoneyOut = Field(description="What Ozon charges the shop")
    currency: str
    days_min: int
    days_max: int
    partial_acceptance: bool
    cash_on_delivery: bool


class SelectedOut(BaseModel):
    option_id: str
    delivery_type: DeliveryType | None
    tariff: str
    price: MoneyOut
    days_min: int | None
    days_max: int | None
    description: str = Field(description="Ready for CalculationResult::setPeriodDescription()")


class CalculateResponse(BaseModel):
    options: list[OptionOut]
    selected: SelectedOut | None = Field(description="null when no option fits this destination")
    cached: bool
    fallback: bool = Field(
        default=False, description="true when Ozon was unreachable and the fallback price is used"
    )
