"""Delivery options and their prices: tariffs, volumetric weight and distance bands, in Decimal."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from typing import Literal

from app.domain.money import money
from app.sandbox.ozon_rocket.geography import NEXT_DAY_CITIES, City, distance_km
from app.sandbox.ozon_rocket.network import PickupPoint

OptionType = Literal["courier", "pickup_point", "next_day"]
PaymentMethod = Literal["prepaid", "cash_on_delivery"]

# Carriers bill the larger of the real and the volumetric weight: 5,000 cm³ (5e6 mm³) per kg.
VOLUMETRIC_MM3_PER_KG = Decimal(5_000_000)
GRAMS_PER_KG = Decimal(1000)
INSURANCE_RATE = Decimal("0.005")  # of the declared value
COD_RATE = Decimal("0.015")  # of the declared value, for collecting cash on delivery
NEXT_DAY_MAX_KM = 800.0


@dataclass(frozen=True, slots=True)
class Parcel:
    weight: int  # grams
    length: int  # millimetres
    width: int
    height: int

    def dimensions(self) -> tuple[int, int, int, int]:
        return (self.weight, self.length, self.width, self.height)

    def chargeable_kg(self) -> Decimal:
        actual = Decimal(self.weight) / GRAMS_PER_KG
        volumetric = Decimal(self.length * self.width * self.height) / VOLUMETRIC_MM3_PER_KG
        return max(actual, volumetric)


@dataclass(frozen=True, slots=True)
class Option:
    option_id: str
    delivery_type: OptionType
    tariff: str
    price: Decimal
    days_min: int
    days_max: int
    partial_acceptance: bool
    cash_on_delivery: bool
    currency: str = "RUB"


@dataclass(frozen=True, slots=True)
class Band:
    """A distance band: what the road adds to the price and the days."""

    max_km: float
    surcharge: Decimal
    per_kg_extra: Decimal
    days_min: int
    days_max: int


BANDS: tuple[Band, ...] = (
    Band(50, Decimal(0), Decimal(0), 1, 2),
    Band(800, Decimal(70), Decimal(8), 2, 4),
    Band(2000, Decimal(150), Decimal(15), 3, 6),
    Band(4000, Decimal(290), Decimal(30), 5, 9),
    Band(float("inf"), Decimal(450), Decimal(45), 7, 14),
)


@dataclass(frozen=True, slots=True)
class Tariff:
    option_id: str
    delivery_type: OptionType
    name: str
    base: Decimal  # covers the first kilogram
    per_kg: Decimal  # every further started kilogram
    # Per-package limits; None for the pickup tariff, where the chosen point's own limits apply.
    max_package_weight: int | None
    max_package_side: int | None


COURIER = Tariff(
    "opt_courier_std", "courier", "Courier standard", Decimal(249), Decimal(39), 30000, 1500
)
NEXT_DAY = Tariff("opt_next_day", "next_day", "Next Day", Decimal(449), Decimal(49), 15000, 1000)
PICKUP = Tariff(
    "opt_pickup_point", "pickup_point", "Pickup point", Decimal(129), Decimal(25), None, None
)
TARIFFS: tuple[Tariff, ...] = (COURIER, NEXT_DAY, PICKUP)


def band_for(km: float) -> Band:
    return next(band for band in BANDS if km <= band.max_km)


def billable_kg(parcels: Sequence[Parcel]) -> int:
    """Whole started kilograms of chargeable weight, at least one."""
    total = sum((parcel.chargeable_kg() for parcel in parcels), Decimal(0))
    return max(1, int(total.to_integral_value(rounding=ROUND_CEILING)))


def _carries(tariff: Tariff, parcels: Sequence[Parcel]) -> bool:
    max_weight, max_side = tariff.max_package_weight, tariff.max_package_side
    return all(
        (max_weight is None or p.weight <= max_weight)
        and (max_side is None or max(p.length, p.width, p.height) <= max_side)
        for p in parcels
    )


def _price(
    tariff: Tariff,
    band: Band,
    kg: int,
    declared_value: Decimal,
    payment_method: PaymentMethod,
) -> Decimal:
    price = tariff.base + band.surcharge + (kg - 1) * (tariff.per_kg + band.per_kg_extra)
    price += declared_value * INSURANCE_RATE
    if payment_method == "cash_on_delivery":
        price += declared_value * COD_RATE
    return money(price)


def quote(
    origin: City,
    destination: City,
    parcels: Sequence[Parcel],
    declared_value: Decimal,
    payment_method: PaymentMethod,
    point: PickupPoint | None = None,
) -> list[Option]:
    """Options from a warehouse city to a destination, cheapest first.

    Courier always (within its size limits); Next Day only to a Next Day city near enough, and
    never with cash on delivery; pickup point only for a given point the parcels fit into.
    An option that cannot carry the requested payment method is not offered at all.
    """
    km = distance_km(origin, destination)
    band = band_for(km)
    kg = billable_kg(parcels)
    cod = payment_method == "cash_on_delivery"
    options: list[Option] = []
    if _carries(COURIER, parcels):
        options.append(
            Option(
                COURIER.option_id,
                "courier",
                COURIER.name,
                _price(COURIER, band, kg, declared_value, payment_method),
                band.days_min,
                band.days_max,
                partial_acceptance=True,
                cash_on_delivery=True,
            )
        )
    next_day_city = destination.name in NEXT_DAY_CITIES and km <= NEXT_DAY_MAX_KM
    if next_day_city and not cod and _carries(NEXT_DAY, parcels):
        options.append(
            Option(
                NEXT_DAY.option_id,
                "next_day",
                NEXT_DAY.name,
                _price(NEXT_DAY, band, kg, declared_value, payment_method),
                1,
                1,
                partial_acceptance=True,
                cash_on_delivery=False,
            )
        )
    if (
        point is not None
        and point.fits(p.dimensions() for p in parcels)
        and (point.cash_on_delivery or not cod)
    ):
        options.append(
            Option(
                PICKUP.option_id,
                "pickup_point",
                "Locker" if point.type == "locker" else PICKUP.name,
                _price(PICKUP, band, kg, declared_value, payment_method),
                band.days_min,
                band.days_max + 1,
                partial_acceptance=point.partial_acceptance,
                cash_on_delivery=point.cash_on_delivery,
            )
        )
    return sorted(options, key=lambda option: (option.price, option.days_max))
