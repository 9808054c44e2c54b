"""Field types shared by every API schema: money, strict models."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, ValidationError

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


def inline_schema(model: type[BaseModel]) -> dict[str, Any]:
    """A model's JSON schema with its `$defs` put in place, to embed in the OpenAPI document
    of a route that reads its body itself (`openapi_extra`)."""
    schema = model.model_json_schema()
    defs = schema.pop("$defs", {})

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/$defs/"):
                return walk(defs[ref.removeprefix("#/$defs/")])
            return {key: walk(value) for key, value in node.items()}
        if isinstance(node, list):
            return [walk(value) for value in node]
        return node

    result: dict[str, Any] = walk(schema)
    return result


def json_body_errors(exc: ValidationError) -> list[dict[str, Any]]:
    """A body's validation errors located as FastAPI locates them (`body`, then the field)."""
    return [{**error, "loc": ("body", *error["loc"])} for error in exc.errors()]
