"""Shop and delivery-service bodies: the mirror of the Bitrix handler's settings."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.config import BITRIX_BURST_MAX, BITRIX_RATE_MAX
from app.domain.carrier import DeliveryType
from app.domain.quotes import Rounding, Strategy
from app.domain.statuses import OzonStatus
from app.schemas import Money, MoneyOut, StrictModel

WebhookSecret = Annotated[str, Field(min_length=8, max_length=200)]
BitrixRate = Annotated[
    Decimal,
    Field(
        gt=0,
        le=BITRIX_RATE_MAX,
        decimal_places=2,
        description="Requests per second the bridge lets drain towards the shop's Bitrix; "
        "unset on create: the BITRIX_RATE_PER_SECOND default (1.9, under Bitrix's 2).",
    ),
]
BitrixBurst = Annotated[
    int,
    Field(
        ge=1,
        le=BITRIX_BURST_MAX,
        description="Requests the bridge may send the shop's Bitrix at once; "
        "unset on create: the BITRIX_BURST default (45, under Bitrix's 50).",
    ),
]


class ShopCreate(StrictModel):
    name: str = Field(min_length=1, max_length=200, examples=["Магазин посуды"])
    bitrix_rest_url: str | None = Field(
        default=None,
        max_length=500,
        description="The shop's inbound webhook, e.g. https://shop.ru/rest/1/abc123/ (a secret).",
        examples=["https://shop.example.ru/rest/1/k3y5ecr3t/"],
    )
    ozon_webhook_secrets: list[WebhookSecret] = Field(
        default_factory=list,
        max_length=2,
        description="Ozon's signing secret; two while rotating (both verify).",
    )
    bitrix_module: bool = Field(
        default=False, description="The shop has our Bitrix module (ozonrocket.* REST methods)."
    )
    bitrix_rate_per_second: BitrixRate | None = None
    bitrix_burst: BitrixBurst | None = None


class ShopUpdate(StrictModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    bitrix_rest_url: str | None = Field(default=None, max_length=500)
    ozon_webhook_secrets: list[WebhookSecret] | None = Field(default=None, max_length=2)
    bitrix_module: bool | None = None
    bitrix_rate_per_second: BitrixRate | None = None
    bitrix_burst: BitrixBurst | None = None


class ShopOut(BaseModel):
    id: uuid.UUID
    name: str
    bitrix_rest_url: str | None = Field(description="Masked: the path holds the Bitrix secret.")
    ozon_webhook_secrets: list[str] = Field(description="Masked.")
    bitrix_module: bool
    bitrix_rate_per_second: float = Field(
        description="The client-side leaky bucket towards the shop's Bitrix: drain per second"
    )
    bitrix_burst: int = Field(description="... and its size")
    webhook_path: str = Field(description="Register this path (on the bridge's host) at Ozon.")
    created_at: datetime
    updated_at: datetime


class ShopCreated(ShopOut):
    token: str = Field(description="The shop token. Shown once: store it in the Bitrix module.")


class Package(StrictModel):
    weight: int = Field(gt=0, le=150_000, description="grams")
    length: int = Field(gt=0, le=3_000, description="millimetres")
    width: int = Field(gt=0, le=3_000, description="millimetres")
    height: int = Field(gt=0, le=3_000, description="millimetres")


class DeliveryServiceParams(BaseModel):
    """The Bitrix handler's own params, named as in Bitrix."""

    model_config = ConfigDict(extra="forbid", populate_by_name=False)

    OZON_API_KEY: str = Field(min_length=4, max_length=500)
    SELLER_ID: str = Field(min_length=1, max_length=100)
    DEFAULT_WAREHOUSE_ID: str = Field(min_length=1, max_length=100)
    PARTIAL_ACCEPT: bool = Field(description="true/false, or Bitrix's Y/N")


class Pricing(StrictModel):
    strategy: Strategy = Field(
        default="cheapest", description="cheapest | fastest | fixed (uses fixed_delivery_type)"
    )
    fixed_delivery_type: DeliveryType | None = None
    markup_percent: Decimal = Field(default=Decimal("0"), ge=-100, le=1000, decimal_places=2)
    markup_fixed: Decimal = Field(default=Decimal("0"), ge=-100_000, le=100_000, decimal_places=2)
    free_delivery_from: Money | None = Field(
        default=None, description="Delivery is free when declared_value reaches this."
    )
    rounding: Rounding = Field(default="none", description="Round the price up to 1, 10 or 50 RUB")
    fallback_price: Money | None = Field(
        default=None,
        description="Answer with this price when Ozon is unreachable; unset → 503.",
    )

    @model_validator(mode="after")
    def _fixed_needs_type(self) -> Pricing:
        if self.strategy == "fixed" and self.fixed_delivery_type is None:
            raise ValueError("strategy 'fixed' needs fixed_delivery_type")
        return self


DEFAULT_PACKAGE = Package(weight=1000, length=200, width=150, height=100)

BitrixStatusId = Annotated[
    str, Field(pattern=r"^[A-Z0-9]{1,2}$", description="A Bitrix status id (1–2 characters)")
]


class StatusTarget(StrictModel):
    shipment_status: BitrixStatusId | None = Field(
        default=None, description="The shipment (delivery) status; unset: the default"
    )
    order_status: BitrixStatusId | None = Field(
        default=None, description="Also set the order's status, e.g. F on delivered"
    )


class PartialAcceptanceSettings(StrictModel):
    refund_delivery: bool = Field(
        default=False,
        description="On partial acceptance the buyer gets the delivery price back too",
    )


class DeliveryServicePut(StrictModel):
    params: DeliveryServiceParams
    pricing: Pricing = Field(default_factory=Pricing)
    default_package: Package = Field(
        default=DEFAULT_PACKAGE, description="Used when calculate gets no packages."
    )
    status_map: dict[OzonStatus, StatusTarget] = Field(
        default_factory=dict,
        description=(
            "Ozon status → Bitrix statuses; defaults: created OS, in_transit OT, arrived OA, "
            "delivered OD, partial_delivered OP, returned OR, cancelled DD"
        ),
    )
    partial_acceptance: PartialAcceptanceSettings = Field(default_factory=PartialAcceptanceSettings)

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "params": {
                        "OZON_API_KEY": "sandbox-key-a1b2",
                        "SELLER_ID": "seller-1",
                        "DEFAULT_WAREHOUSE_ID": "WH-1",
                        "PARTIAL_ACCEPT": True,
                    },
                    "pricing": {
                        "strategy": "cheapest",
                        "markup_percent": 10,
                        "rounding": "ceil_10",
                    },
                }
            ]
        }
    )


class DeliveryServiceParamsOut(BaseModel):
    OZON_API_KEY: str = Field(description="Masked; write-only.")
    SELLER_ID: str
    DEFAULT_WAREHOUSE_ID: str
    PARTIAL_ACCEPT: bool


class PricingOut(BaseModel):
    strategy: Strategy
    fixed_delivery_type: DeliveryType | None
    markup_percent: Decimal
    markup_fixed: MoneyOut
    free_delivery_from: MoneyOut | None
    rounding: Rounding
    fallback_price: MoneyOut | None


class DeliveryServiceOut(BaseModel):
    shop_id: uuid.UUID
    bitrix_delivery_id: int
    params: DeliveryServiceParamsOut
    pricing: PricingOut
    default_package: Package
    status_map: dict[str, StatusTarget] = Field(description="The effective mapping")
    partial_acceptance: PartialAcceptanceSettings
    version: int
    created_at: datetime
    updated_at: datetime


class StatusSetupOut(BaseModel):
    created: list[str]
    present: list[str]
    failed: dict[str, str]
