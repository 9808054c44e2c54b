"""Field types shared by every API schema: money, strict models."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

from app.domain.money import money


def _money_json(value: Decimal) -> float:
    # JSON numbers with 2 decimals (the contract); a 2-decimal Decimal survives float repr exactly.
    return float(money(value))


# Any amount in a response: a JSON number with 2 decimals.
MoneyOut = Annotated[Decimal, PlainSerializer(_money_json, return_type=float, when_used="json")]
# An amount in a request: kopecks at most, never negative, never absurd.
Money = Annotated[MoneyOut, Field(ge=0, le=Decimal("100000000"), decimal_places=2)]


class StrictModel(BaseModel):
    """Request bodies: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ResponseModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)
