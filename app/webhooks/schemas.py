"""The Ozon webhook body (ozon-rocket-api.md); unknown fields are ignored."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class WebhookItem(BaseModel):
    model_config = ConfigDict(extra="ignore")

    sku: str
    quantity: int = Field(ge=0)
    accepted_quantity: int | None = Field(default=None, ge=0)
    returned_quantity: int | None = Field(default=None, ge=0)


class OzonWebhook(BaseModel):
    model_config = ConfigDict(extra="ignore")

    event_id: str = Field(min_length=1, max_length=100)
    event_type: str = Field(max_length=64)
    occurred_at: AwareDatetime
    order_id: str = Field(min_length=1, max_length=64)
    seller_order_number: str | None = Field(default=None, max_length=64)
    status: str = Field(max_length=32)
    previous_status: str | None = Field(default=None, max_length=32)
    tracking_number: str | None = Field(default=None, max_length=64)
    items: list[WebhookItem] = Field(default_factory=list, max_length=1000)
    cod_collected: Decimal | None = Field(default=None, ge=0)


class WebhookAck(BaseModel):
    event_id: str
    outcome: str = Field(
        description="applied | stale | duplicate_event | unknown_order | ignored_event_type"
    )
    received_at: datetime | None = None
