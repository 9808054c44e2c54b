"""Reading method parameters the way Bitrix does: JSON types or query strings, coerced per field."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from app.domain.money import money
from app.sandbox.bitrix.errors import (
    invalid_value,
    missing_parameter,
    required_fields,
    wrong_parameter_type,
)

Params = Mapping[str, object]


def require_int(params: Params, name: str) -> int:
    """A required integer argument such as `id` (a query string sends it as text)."""
    if name not in params or params[name] in (None, ""):
        raise missing_parameter(name)
    value = to_int(params[name])
    if value is None:
        raise wrong_parameter_type(name, params[name], "int")
    return value


def require_fields(params: Params, name: str = "fields") -> dict[str, object]:
    value = params.get(name)
    if value is None or value == "" or value == [] or value == {}:
        raise missing_parameter(name)
    if isinstance(value, list):
        # A JSON array arrives where PHP expects an array; keys become "0", "1", ...
        return {str(i): v for i, v in enumerate(value)}
    if not isinstance(value, dict):
        raise wrong_parameter_type(name, value, "array")
    return {str(k): v for k, v in value.items()}


def optional_mapping(params: Params, name: str) -> dict[str, object]:
    value = params.get(name)
    if isinstance(value, dict):
        return {str(k): v for k, v in value.items()}
    return {}


def as_list(value: object) -> list[object]:
    """A PHP array used as a list: a JSON array, or a parse_str dict keyed "0", "1", ..."""
    if isinstance(value, list):
        return list(value)
    if isinstance(value, dict):
        return list(value.values())
    return []


def check_required(fields: Mapping[str, object], names: list[str]) -> None:
    missing = [n for n in names if fields.get(n) is None or fields.get(n) == ""]
    if missing:
        raise required_fields(missing)


def to_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def field_int(fields: Mapping[str, object], name: str) -> int:
    value = to_int(fields.get(name))
    if value is None:
        raise invalid_value(f"Field {name}: {fields.get(name)!r} is not an integer")
    return value


def to_decimal(value: object) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, str):
        try:
            parsed = Decimal(value.strip())
        except InvalidOperation:
            return None
        return parsed if parsed.is_finite() else None
    return None


def field_money(fields: Mapping[str, object], name: str) -> Decimal:
    value = to_decimal(fields.get(name))
    if value is None:
        raise invalid_value(f"Field {name}: {fields.get(name)!r} is not a number")
    return money(value)


def field_quantity(fields: Mapping[str, object], name: str) -> Decimal:
    value = to_decimal(fields.get(name))
    if value is None or value < 0:
        raise invalid_value(f"Field {name}: {fields.get(name)!r} is not a valid quantity")
    return value


def field_yn(fields: Mapping[str, object], name: str) -> str:
    value = fields.get(name)
    if isinstance(value, bool):
        return "Y" if value else "N"
    if value in ("Y", "N"):
        return str(value)
    raise invalid_value(f"Field {name}: {value!r} must be Y or N")


def field_str(fields: Mapping[str, object], name: str) -> str:
    value = fields.get(name)
    if value is None:
        return ""
    if isinstance(value, dict | list):
        raise invalid_value(f"Field {name} must be a string")
    return str(value)


def text_updates(fields: Mapping[str, object], names: Mapping[str, str]) -> dict[str, str]:
    """{attribute: text} for the REST fields present, read before anything is changed."""
    return {
        attribute: field_str(fields, name) for name, attribute in names.items() if name in fields
    }
