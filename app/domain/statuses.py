"""The Ozon status machine and the default mapping of its statuses to Bitrix status ids."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal, get_args

OzonStatus = Literal[
    "created", "in_transit", "arrived", "delivered", "partial_delivered", "returned", "cancelled"
]
OZON_STATUSES: Final[tuple[str, ...]] = get_args(OzonStatus)
FINAL: Final[frozenset[str]] = frozenset({"delivered", "returned", "cancelled"})

# The contract's "may follow" table, closed transitively: a late event may skip a step
# (a lost webhook), but a status never moves backwards.
_NEXT: Final[dict[str, frozenset[str]]] = {
    "created": frozenset({"in_transit", "cancelled"}),
    "in_transit": frozenset({"arrived"}),
    "arrived": frozenset({"delivered", "partial_delivered", "returned"}),
    "partial_delivered": frozenset({"returned"}),
    "delivered": frozenset(),
    "returned": frozenset(),
    "cancelled": frozenset(),
}


def _reachable(start: str) -> frozenset[str]:
    seen: set[str] = set()
    stack = list(_NEXT[start])
    while stack:
        status = stack.pop()
        if status not in seen:
            seen.add(status)
            stack.extend(_NEXT[status])
    return frozenset(seen)


_FORWARD: Final[dict[str, frozenset[str]]] = {s: _reachable(s) for s in _NEXT}


def is_known(status: str) -> bool:
    return status in _NEXT


def is_final(status: str) -> bool:
    return status in FINAL


def moves_forward(current: str | None, new: str) -> bool:
    """True when `new` is later than `current`; duplicates, stale and backwards events are not."""
    if not is_known(new):
        return False
    if current is None:
        return True
    return new in _FORWARD.get(current, frozenset())


@dataclass(frozen=True)
class BitrixTarget:
    """Where an Ozon status lands in Bitrix: a shipment status id and, optionally, an order one."""

    shipment_status: str
    order_status: str | None = None


@dataclass(frozen=True)
class BitrixStatusDef:
    id: str
    name_ru: str
    name_en: str


# Defaults for the brief's table; the shop may override each entry per delivery service.
# Ids are at most 2 characters (Bitrix); DD is Bitrix's own "cancelled".
DEFAULT_STATUS_DEFS: Final[dict[str, BitrixStatusDef]] = {
    "created": BitrixStatusDef("OS", "Передан в Ozon Rocket", "Sent for delivery"),
    "in_transit": BitrixStatusDef("OT", "В пути (Ozon Rocket)", "In transit"),
    "arrived": BitrixStatusDef("OA", "Ожидает в ПВЗ / курьер у двери", "Waiting at PVZ / courier"),
    "delivered": BitrixStatusDef("OD", "Доставлен (Ozon Rocket)", "Delivered"),
    "partial_delivered": BitrixStatusDef(
        "OP", "Частичный выкуп — требует обработки", "Partial acceptance, needs handling"
    ),
    "returned": BitrixStatusDef("OR", "Возврат (Ozon Rocket)", "Returned"),
    "cancelled": BitrixStatusDef("DD", "Отменена", "Cancelled"),
}

# Bitrix's system delivery statuses: they exist in every shop and must not be created.
SYSTEM_DELIVERY_STATUSES: Final[frozenset[str]] = frozenset({"DN", "DD", "DF"})


def bitrix_target(status: str, overrides: dict[str, dict[str, str | None]] | None) -> BitrixTarget:
    """The shop's mapping for this status, falling back to the defaults above."""
    default = BitrixTarget(DEFAULT_STATUS_DEFS[status].id)
    entry = (overrides or {}).get(status)
    if not entry:
        return default
    return BitrixTarget(
        shipment_status=entry.get("shipment_status") or default.shipment_status,
        order_status=entry.get("order_status"),
    )
