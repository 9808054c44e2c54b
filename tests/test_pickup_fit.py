"""The network's pure rules: city keys and whether parcels fit a point (no I/O)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.pickup_points.fit import Limits, city_key, fits, sorted_limits


@dataclass(frozen=True)
class Box:
    weight: int
    length: int
    width: int
    height: int


@pytest.mark.parametrize(
    ("spelling", "key"),
    [
        ("Орёл", "орел"),
        ("  ОРЁЛ ", "орел"),
        ("г. Королёв", "королев"),
        ("Ростов на Дону", "ростов на дону"),
        ("Ростов-на-Дону", "ростов на дону"),
        ("город Москва", "москва"),
    ],
)
def test_city_keys_ignore_case_yo_hyphens_and_the_prefix(spelling: str, key: str) -> None:
    assert city_key(spelling) == key


def test_an_unknown_side_limit_counts_as_the_longest() -> None:
    assert sorted_limits(400, 600, 300) == (600, 400, 300)
    assert sorted_limits(400, None, 300) == (None, 400, 300)
    assert sorted_limits(None, None, None) == (None, None, None)


def test_a_long_parcel_fits_a_cell_turned_any_way() -> None:
    locker = Limits.of(15000, 400, 600, 400)
    assert fits(locker, [Box(1000, 100, 590, 390)])
    assert not fits(locker, [Box(1000, 610, 100, 100)])
    assert not fits(locker, [Box(8000, 100, 100, 100), Box(8000, 100, 100, 100)])  # 16 kg
    assert fits(Limits.of(None, None, None, None), [Box(10**6, 10**4, 10**4, 10**4)])


sides = st.integers(min_value=1, max_value=1500)


@given(
    limits=st.tuples(sides, sides, sides),
    parcel=st.tuples(sides, sides, sides),
)
def test_sorted_comparison_is_the_same_as_trying_every_orientation(
    limits: tuple[int, int, int], parcel: tuple[int, int, int]
) -> None:
    any_orientation = any(
        all(side <= limit for side, limit in zip(turned, limits, strict=True))
        for turned in itertools.permutations(parcel)
    )
    assert fits(Limits.of(None, *limits), [Box(1, *parcel)]) == any_orientation
