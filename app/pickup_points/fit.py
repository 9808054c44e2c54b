"""Pure rules of the network: city match keys and whether parcels fit a point (no I/O)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

_SEPARATORS = re.compile(r"[\s\-‐‑–—]+")
_CITY_PREFIX = re.compile(r"^(г\.|г |город )\s*")


def city_key(name: str) -> str:
    """Match key for a city: case, ё/е, spaces, hyphens and a "г." prefix do not matter."""
    key = _SEPARATORS.sub(" ", name.casefold().replace("ё", "е")).strip()
    return _CITY_PREFIX.sub("", key)


class Parcel(Protocol):
    """Anything with a weight (grams) and three sides (millimetres)."""

    @property
    def weight(self) -> int: ...
    @property
    def length(self) -> int: ...
    @property
    def width(self) -> int: ...
    @property
    def height(self) -> int: ...


@dataclass(frozen=True, slots=True)
class Limits:
    """A point's limits; sides sorted longest first; None means no limit."""

    max_weight: int | None
    sides: tuple[int | None, int | None, int | None]

    @classmethod
    def of(
        cls, max_weight: int | None, length: int | None, width: int | None, height: int | None
    ) -> Limits:
        return cls(max_weight, sorted_limits(length, width, height))


def sorted_limits(
    length: int | None, width: int | None, height: int | None
) -> tuple[int | None, int | None, int | None]:
    """Longest first, an unlimited (None) side counting as the longest of all."""
    ordered = sorted((length, width, height), key=lambda s: (s is not None, -(s or 0)))
    return ordered[0], ordered[1], ordered[2]


def sorted_sides(length: int, width: int, height: int) -> tuple[int, int, int]:
    a, b, c = sorted((length, width, height), reverse=True)
    return a, b, c


def fits(limits: Limits, parcels: Iterable[Parcel]) -> bool:
    """Each parcel fits with any side facing any way; together they are not too heavy."""
    total_weight = 0
    for parcel in parcels:
        total_weight += parcel.weight
        sides = sorted_sides(parcel.length, parcel.width, parcel.height)
        if any(
            lim is not None and side > lim for side, lim in zip(sides, limits.sides, strict=True)
        ):
            return False
    return limits.max_weight is None or total_weight <= limits.max_weight
