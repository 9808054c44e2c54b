"""Returns as shops and operators read them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from app.schemas import MoneyOut


class ReturnOut(BaseModel):
    id: uuid.UUID
    shop_id: uuid.UUID
    shipment_id: uuid.UUID
    state: str = Field(description="expected → received (goods back at the warehouse) → closed")
    items: list[dict[str, Any]]
    goods_before: MoneyOut
    goods_after: MoneyOut
    delivery_before: MoneyOut
    delivery_after: MoneyOut
    total_after: MoneyOut
    payment_method: str
    paid: MoneyOut
    refund_due: MoneyOut
    refund_state: str = Field(
        description=(
            "not_needed | pending | done (the pay system moved it) | inner_account | manual "
            "(a manager must refund: nothing moved the money)"
        )
    )
    refund_detail: str | None
    expected_cash: MoneyOut
    cod_collected: MoneyOut | None
    anomalies: list[str]
    bitrix_state: str = Field(
        description="pending | applied | mismatch (Bitrix's total differs) | manual"
    )
    bitrix_order_price: MoneyOut | None
    comment: str
    created_at: datetime
    updated_at: datetime


class ReturnPage(BaseModel):
    items: list[ReturnOut]
    total: int
