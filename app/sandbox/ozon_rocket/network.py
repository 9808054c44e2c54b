"""The pickup network: thousands of seeded, realistic pickup points and lockers, and its changes."""

from __future__ import annotations

import base64
import functools
import json
import math
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Literal

from app.sandbox.ozon_rocket.geography import CITIES, City, normalize_city

PointType = Literal["pvz", "locker"]

# Generated points carry this fixed stamp so that two runs produce identical data.
NETWORK_PUBLISHED_AT = datetime(2025, 11, 1, 6, 0, tzinfo=UTC)
LOCKER_SHARE = 0.3
INACTIVE_SHARE = 0.03

_STREETS: tuple[tuple[str, str], ...] = (
    ("Ленина", "ул."),
    ("Советская", "ул."),
    ("Мира", "пр-т"),
    ("Гагарина", "ул."),
    ("Победы", "пр-т"),
    ("Молодёжная", "ул."),
    ("Центральная", "ул."),
    ("Садовая", "ул."),
    ("Пушкина", "ул."),
    ("Лермонтова", "ул."),
    ("Карла Маркса", "ул."),
    ("Кирова", "ул."),
    ("Октябрьская", "ул."),
    ("Строителей", "пр-т"),
    ("Комсомольская", "ул."),
    ("Первомайская", "ул."),
    ("Жукова", "ул."),
    ("Чехова", "ул."),
    ("Горького", "ул."),
    ("Московская", "ул."),
    ("Набережная", "ул."),
    ("Заводская", "ул."),
    ("Новая", "ул."),
    ("Рабочая", "ул."),
    ("Суворова", "ул."),
    ("Космонавтов", "пр-т"),
    ("Дзержинского", "ул."),
    ("Маяковского", "ул."),
    ("Фрунзе", "ул."),
    ("Свердлова", "ул."),
    ("Ломоносова", "ул."),
    ("Южная", "ул."),
    ("Северная", "ул."),
    ("Лесная", "ул."),
    ("Школьная", "ул."),
    ("Вокзальная", "ул."),
    ("Энтузиастов", "ш."),
    ("Дружбы", "ул."),
    ("Тургенева", "ул."),
    ("Полевая", "ул."),
)
_PVZ_HOURS: tuple[str, ...] = (
    "Пн-Вс 10:00-21:00",
    "Пн-Вс 09:00-21:00",
    "Пн-Вс 08:00-22:00",
    "Пн-Пт 10:00-20:00, Сб-Вс 10:00-18:00",
    "Пн-Сб 09:00-20:00",
)
_LOCKER_HOURS: tuple[str, ...] = ("Круглосуточно", "Пн-Вс 08:00-23:00", "Пн-Вс 07:00-23:00")
_LOCKER_SITES: tuple[str, ...] = ("ТЦ", "Пятёрочка", "Перекрёсток", "ЖК", "БЦ", "Магнит")


@dataclass(frozen=True, slots=True)
class PickupPoint:
    id: str
    type: PointType
    name: str
    city: str
    address: str
    lat: float
    lon: float
    working_hours: str
    max_weight: int  # grams
    max_length: int  # millimetres
    max_width: int
    max_height: int
    cash_on_delivery: bool
    card_payment: bool
    partial_acceptance: bool
    is_active: bool
    updated_at: datetime

    def fits(self, packages: Iterable[tuple[int, int, int, int]]) -> bool:
        """Whether parcels of (weight, length, width, height) fit this point's cell or shelf."""
        limits = sorted((self.max_length, self.max_width, self.max_height), reverse=True)
        total_weight = 0
        for weight, *sides in packages:
            total_weight += weight
            # Any side may face any way: compare the sorted sides with the sorted limits.
            if any(s > lim for s, lim in zip(sorted(sides, reverse=True), limits, strict=True)):
                return False
        return total_weight <= self.max_weight


def allocate(count: int, cities: tuple[City, ...] = CITIES) -> list[int]:
    """Points per city proportional to population (largest remainder), at least one each."""
    total_population = sum(city.population for city in cities)
    floor_each = 1 if count >= len(cities) else 0
    spare = count - floor_each * len(cities)
    shares = [spare * city.population / total_population for city in cities]
    counts = [floor_each + int(share) for share in shares]
    by_remainder = sorted(range(len(cities)), key=lambda i: (-(shares[i] % 1), i))
    for i in by_remainder[: count - sum(counts)]:
        counts[i] += 1
    return counts


def generate_points(count: int, seed: int) -> list[PickupPoint]:
    """The same `count` points for the same seed, sorted by id; ~30 % lockers, ~3 % inactive."""
    rng = random.Random(seed)
    # random() and indexing rather than choice()/randint(): several times cheaper per draw,
    # which keeps 10,000 points well under the half second a benchmark start-up may spend.
    rand = rng.random
    sequences: dict[tuple[str, int], int] = {}
    points: list[PickupPoint] = []
    for city, city_count in zip(CITIES, allocate(count), strict=True):
        # Bigger cities sprawl further: spread grows with the square root of the population.
        spread_km = 1.5 + 0.9 * math.sqrt(city.population / 100)
        km_per_degree_lon = 111.32 * math.cos(math.radians(city.lat))
        for _ in range(city_count):
            kind: PointType = "locker" if rand() < LOCKER_SHARE else "pvz"
            prefix = "LCK" if kind == "locker" else "PVZ"
            number = sequences.get((prefix, city.region_code), 0) + 1
            sequences[(prefix, city.region_code)] = number
            street, street_type = _STREETS[int(rand() * len(_STREETS))]
            house = str(1 + int(rand() * 180))
            if rand() < 0.15:
                house += f"к{1 + int(rand() * 4)}"
            lat = city.lat + rng.gauss(0.0, spread_km) / 111.13
            lon = city.lon + rng.gauss(0.0, spread_km) / km_per_degree_lon
            is_active = rand() >= INACTIVE_SHARE
            if kind == "locker":
                site = _LOCKER_SITES[int(rand() * len(_LOCKER_SITES))]
                name = f"Ozon Постамат {site}, {street} {house}"
                hours = _LOCKER_HOURS[int(rand() * len(_LOCKER_HOURS))]
                max_weight, sides = 15000, (600, 400, 400)
                cash, card, partial = False, True, False
            else:
                name = f"Ozon ПВЗ {street} {house}"
                hours = _PVZ_HOURS[int(rand() * len(_PVZ_HOURS))]
                large = rand() < 0.7
                max_weight, sides = (25000, (1200, 800, 800)) if large else (15000, (800, 600, 600))
                cash, card, partial = rand() < 0.95, rand() < 0.98, True
            points.append(
                PickupPoint(
                    id=f"{prefix}-{city.region_code:02d}-{number:06d}",
                    type=kind,
                    name=name,
                    city=city.name,
                    address=f"{city.name}, {street} {street_type}, {house}",
                    lat=round(lat, 6),
                    lon=round(lon, 6),
                    working_hours=hours,
                    max_weight=max_weight,
                    max_length=sides[0],
                    max_width=sides[1],
                    max_height=sides[2],
                    cash_on_delivery=cash,
                    card_payment=card,
                    partial_acceptance=partial,
                    is_active=is_active,
                    updated_at=NETWORK_PUBLISHED_AT,
                )
            )
    points = [_CONTRACT_EXAMPLES.get(point.id, point) for point in points]
    points.sort(key=lambda point: point.id)
    return points


def _contract_example(
    point_id: str, city: str, street: str, house: str, lat: float, lon: float, kind: PointType
) -> PickupPoint:
    locker = kind == "locker"
    return PickupPoint(
        id=point_id,
        type=kind,
        name=f"Ozon {'Постамат' if locker else 'ПВЗ'} {street.split()[0]} {house}",
        city=city,
        address=f"{city}, {street}, {house}",
        lat=lat,
        lon=lon,
        working_hours="Круглосуточно" if locker else "Пн-Вс 10:00-21:00",
        max_weight=15000 if locker else 25000,
        max_length=600 if locker else 1200,
        max_width=400 if locker else 800,
        max_height=400 if locker else 800,
        cash_on_delivery=not locker,
        card_payment=True,
        partial_acceptance=not locker,
        is_active=True,
        updated_at=NETWORK_PUBLISHED_AT,
    )


# The ids printed in the contract are active and as printed there whatever the seed (when the
# network is big enough to hold them): examples copied from the contract into tests just work.
_CONTRACT_EXAMPLES: dict[str, PickupPoint] = {
    point.id: point
    for point in (
        _contract_example("PVZ-77-000123", "Москва", "Тверская ул.", "7", 55.7601, 37.6110, "pvz"),
        _contract_example(
            "LCK-78-000045", "Санкт-Петербург", "Невский пр-т", "28", 59.9357, 30.3256, "locker"
        ),
    )
}


@functools.lru_cache(maxsize=4)
def pristine_points(count: int, seed: int) -> tuple[PickupPoint, ...]:
    """`generate_points`, memoised: the points are immutable, so every sandbox built in one
    process (a test suite builds hundreds) shares one generation instead of repeating it."""
    return tuple(generate_points(count, seed))


class PickupNetwork:
    """The live list of points: what GET /v1/pickup-points pages through and control calls edit."""

    def __init__(self, points: Iterable[PickupPoint]) -> None:
        self._points: dict[str, PickupPoint] = {point.id: point for point in points}
        self._ordered: list[PickupPoint] | None = None
        self._by_city: dict[str, list[PickupPoint]] | None = None

    def __len__(self) -> int:
        return len(self._points)

    def get(self, point_id: str) -> PickupPoint | None:
        return self._points.get(point_id)

    def listing(self, city: str | None = None) -> list[PickupPoint]:
        """Points in id order (stable across pages), optionally of one city."""
        if self._ordered is None:
            self._ordered = sorted(self._points.values(), key=lambda point: point.id)
            by_city: dict[str, list[PickupPoint]] = {}
            for point in self._ordered:
                by_city.setdefault(normalize_city(point.city), []).append(point)
            self._by_city = by_city
        if city is None:
            return self._ordered
        assert self._by_city is not None
        return self._by_city.get(normalize_city(city), [])

    def put(self, point: PickupPoint) -> None:
        """Add a point or replace the one with its id."""
        self._points[point.id] = point
        self._ordered = self._by_city = None

    def update(
        self, point_id: str, changes: Mapping[str, Any], now: datetime
    ) -> PickupPoint | None:
        """Change some fields of a point (stamping updated_at); None if there is no such point."""
        point = self._points.get(point_id)
        if point is None:
            return None
        updated = replace(point, **changes, updated_at=now)
        self.put(updated)
        return updated

    def remove(self, point_id: str) -> bool:
        removed = self._points.pop(point_id, None) is not None
        self._ordered = self._by_city = None
        return removed


def encode_page_token(offset: int) -> str:
    """Opaque to clients; base64url of {"offset": n}, as in the contract's example."""
    raw = json.dumps({"offset": offset}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def decode_page_token(token: str) -> int:
    """The offset in a page token; ValueError for anything this emulator did not issue."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        offset = json.loads(raw)["offset"]
    except (ValueError, TypeError, KeyError) as exc:
        raise ValueError("not a page token") from exc
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise ValueError("not a page token")
    return offset
