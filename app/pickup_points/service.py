"""Searching the local network (nearest first, by city, by what a point accepts) and checking
that a chosen point can take the parcel."""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import (
    BindParameter,
    Boolean,
    ColumnElement,
    Double,
    Integer,
    Select,
    and_,
    bindparam,
    case,
    exists,
    func,
    null,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import InvalidInput
from app.pickup_points.fit import Limits, Parcel, city_key, fits, sorted_sides
from app.pickup_points.models import PickupPoint
from app.pickup_points.schemas import CityOut, PickupPointList, PickupPointOut, PointType

EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE_LAT = EARTH_RADIUS_KM * math.pi / 180

_T = PickupPoint.__table__.c
_OUT_COLUMNS = (
    _T.id,
    _T.type,
    _T.name,
    _T.city,
    _T.address,
    _T.lat,
    _T.lon,
    _T.working_hours,
    _T.cash_on_delivery,
    _T.card_payment,
    _T.partial_acceptance,
    _T.max_weight,
    _T.max_length,
    _T.max_width,
    _T.max_height,
)


@dataclass(frozen=True)
class Near:
    lat: float
    lon: float
    radius_km: float


@dataclass(frozen=True)
class ParcelFilter:
    weight: int | None = None
    sides: tuple[int, int, int] | None = None  # any order; sorted before comparing


@dataclass(frozen=True)
class SearchQuery:
    city: str | None = None
    near: Near | None = None
    type: PointType | None = None
    cash_on_delivery: bool | None = None
    card_payment: bool | None = None
    parcel: ParcelFilter | None = None
    limit: int = 20
    offset: int = 0


BoxShape = Literal["box", "wrap", "band"]


@dataclass(frozen=True)
class Shape:
    """Which filters a search has: one prepared statement per shape, values bound per call."""

    city: bool
    type: bool
    cash_on_delivery: bool
    card_payment: bool
    weight: bool
    sides: bool
    box: BoxShape | None


def _float(name: str) -> BindParameter[float]:
    return bindparam(name, type_=Double())


def distance_km() -> ColumnElement[float]:
    """Haversine distance from (:lat_r, :lon_r) (radians; :cos_lat = their cosine), in SQL."""
    dlat = (func.radians(_T.lat) - _float("lat_r")) / 2
    dlon = (func.radians(_T.lon) - _float("lon_r")) / 2
    a = func.power(func.sin(dlat), 2) + _float("cos_lat") * func.cos(
        func.radians(_T.lat)
    ) * func.power(func.sin(dlon), 2)
    # least(): rounding may push `a` a hair over 1 for antipodes, and asin(>1) is an error.
    return 2 * EARTH_RADIUS_KM * func.asin(func.sqrt(func.least(a, 1.0)))


def bounding_box(near: Near) -> tuple[BoxShape, dict[str, float]]:
    """lat/lon ranges holding every point within the radius: what the (lat, lon) index serves."""
    dlat = near.radius_km / KM_PER_DEGREE_LAT
    south, north = max(-90.0, near.lat - dlat), min(90.0, near.lat + dlat)
    # Longitude degrees are shortest at the box's poleward edge: use that latitude's width.
    edge = max(abs(south), abs(north))
    dlon = 360.0 if edge >= 89.9 else dlat / math.cos(math.radians(edge))
    west, east = near.lon - dlon, near.lon + dlon
    band = {"south": south, "north": north}
    if dlon >= 180:
        return "band", band
    if west < -180:  # the box crosses the antimeridian (Chukotka): two ranges
        return "wrap", {**band, "west": west + 360, "east": east}
    if east > 180:
        return "wrap", {**band, "west": west, "east": east - 360}
    return "box", {**band, "west": west, "east": east}


def _box_condition(shape: BoxShape) -> ColumnElement[bool]:
    in_lat = _T.lat.between(_float("south"), _float("north"))
    if shape == "band":
        return in_lat
    if shape == "wrap":
        return and_(in_lat, or_(_T.lon >= _float("west"), _T.lon <= _float("east")))
    return and_(in_lat, _T.lon.between(_float("west"), _float("east")))


@functools.lru_cache(maxsize=256)
def _statement(shape: Shape) -> Select[Any]:
    """Built once per shape: building and cache-keying a statement of this size costs more
    Python time than PostgreSQL spends running it."""
    where: list[ColumnElement[bool]] = [_T.is_active]
    if shape.city:
        where.append(_T.city_key == bindparam("city_key"))
    if shape.type:
        where.append(_T.type == bindparam("type"))
    if shape.cash_on_delivery:
        where.append(_T.cash_on_delivery == bindparam("cash_on_delivery", type_=Boolean()))
    if shape.card_payment:
        where.append(_T.card_payment == bindparam("card_payment", type_=Boolean()))
    if shape.weight:
        weight = bindparam("weight", type_=Integer())
        where.append(or_(_T.max_weight.is_(None), _T.max_weight >= weight))
    if shape.sides:
        for column in (_T.side_max, _T.side_mid, _T.side_min):
            where.append(or_(column.is_(None), column >= bindparam(column.name, type_=Integer())))
    limit, offset = bindparam("limit", type_=Integer()), bindparam("offset", type_=Integer())
    if shape.box is None:
        return (
            select(*_OUT_COLUMNS, null().label("distance_km"), func.count().over().label("total"))
            .where(*where)
            .order_by(_T.city, _T.address, _T.id)
            .limit(limit)
            .offset(offset)
        )
    # The box is a square around the circle: exact distances only for the rows inside it.
    where.append(_box_condition(shape.box))
    candidates = (
        select(*_OUT_COLUMNS, distance_km().label("distance_km")).where(*where).subquery("near")
    )
    return (
        select(candidates, func.count().over().label("total"))
        .where(candidates.c.distance_km <= _float("radius_km"))
        .order_by(candidates.c.distance_km, candidates.c.id)
        .limit(limit)
        .offset(offset)
    )


def search_statement(query: SearchQuery) -> tuple[Select[Any], dict[str, Any]]:
    """One round trip: the page, its distances, and the total (a window count before LIMIT)."""
    params: dict[str, Any] = {"limit": query.limit, "offset": query.offset}
    if query.city is not None:
        params["city_key"] = city_key(query.city)
    if query.type is not None:
        params["type"] = query.type
    if query.cash_on_delivery is not None:
        params["cash_on_delivery"] = query.cash_on_delivery
    if query.card_payment is not None:
        params["card_payment"] = query.card_payment
    parcel = query.parcel or ParcelFilter()
    if parcel.weight is not None:
        params["weight"] = parcel.weight
    if parcel.sides is not None:
        params.update(
            zip(("side_max", "side_mid", "side_min"), sorted_sides(*parcel.sides), strict=True)
        )
    box: BoxShape | None = None
    if query.near is not None:
        box, bounds = bounding_box(query.near)
        lat_r = math.radians(query.near.lat)
        params.update(bounds)
        params.update(
            lat_r=lat_r,
            lon_r=math.radians(query.near.lon),
            cos_lat=math.cos(lat_r),
            radius_km=float(query.near.radius_km),
        )
    shape = Shape(
        city=query.city is not None,
        type=query.type is not None,
        cash_on_delivery=query.cash_on_delivery is not None,
        card_payment=query.card_payment is not None,
        weight=parcel.weight is not None,
        sides=parcel.sides is not None,
        box=box,
    )
    return _statement(shape), params


async def search(session: AsyncSession, query: SearchQuery) -> PickupPointList:
    statement, params = search_statement(query)
    rows = (await session.execute(statement, params)).mappings().all()
    if rows:
        total = int(rows[0]["total"])
    elif query.offset > 0:
        # Paged past the end: the window count came back with no row to carry it.
        first = (
            (await session.execute(statement, {**params, "offset": 0, "limit": 1}))
            .mappings()
            .first()
        )
        total = int(first["total"]) if first else 0
    else:
        total = 0
    points = [
        PickupPointOut.model_validate(
            {
                **row,
                "distance_km": None
                if row["distance_km"] is None
                else round(float(row["distance_km"]), 3),
            }
        )
        for row in rows
    ]
    return PickupPointList(points=points, total=total, limit=query.limit, offset=query.offset)


async def find_active(session: AsyncSession, point_id: str) -> PickupPointOut | None:
    row = (
        (await session.execute(select(*_OUT_COLUMNS).where(_T.id == point_id, _T.is_active)))
        .mappings()
        .first()
    )
    return None if row is None else PickupPointOut.model_validate(dict(row))


async def cities(session: AsyncSession, text: str, *, limit: int = 10) -> list[CityOut]:
    """Cities with active points whose name contains `text`; exact, then prefix, then larger."""
    key = city_key(text)
    rank = case((_T.city_key == key, 0), (_T.city_key.startswith(key, autoescape=True), 1), else_=2)
    rows = await session.execute(
        select(
            func.min(_T.city).label("city"),
            func.count().label("points"),
            func.avg(_T.lat).label("lat"),
            func.avg(_T.lon).label("lon"),
        )
        .where(_T.is_active, _T.city_key.contains(key, autoescape=True))
        .group_by(_T.city_key)
        .order_by(func.min(rank), func.count().desc(), _T.city_key)
        .limit(limit)
    )
    return [
        CityOut(city=r.city, points=r.points, lat=round(r.lat, 6), lon=round(r.lon, 6))
        for r in rows
    ]


async def network_synced(session: AsyncSession) -> bool:
    """Whether the network was ever pulled: before that the bridge knows no point at all."""
    return bool(await session.scalar(select(exists().where(_T.id.is_not(None)))))


async def check_pickup_point(
    session: AsyncSession, point_id: str, packages: Sequence[Parcel]
) -> None:
    """InvalidInput naming pickup_point_id if the point is unknown, inactive or too small.

    Skipped while the local network is empty (never synced): Ozon checks the point anyway.
    """
    point = await session.get(PickupPoint, point_id)
    loc: list[str | int] = ["body", "pickup_point_id"]
    if point is None:
        if not await network_synced(session):
            return
        raise InvalidInput(
            f"Pickup point {point_id} is not in the Ozon Rocket network: choose another point.",
            loc=loc,
        )
    if not point.is_active:
        raise InvalidInput(
            f"Pickup point {point_id} no longer accepts parcels: choose another point.", loc=loc
        )
    limits = Limits.of(point.max_weight, point.max_length, point.max_width, point.max_height)
    if not fits(limits, packages):
        raise InvalidInput(
            f"The parcel does not fit pickup point {point_id} ({describe_limits(limits)}): "
            "choose a bigger point or split the parcel.",
            loc=loc,
        )


async def partial_acceptance_allowed(session: AsyncSession, point_id: str) -> bool:
    """False for a locker (never) or a point that refuses it; True when the point is unknown."""
    row = (
        await session.execute(select(_T.type, _T.partial_acceptance).where(_T.id == point_id))
    ).first()
    if row is None:
        return True
    return row.type != "locker" and bool(row.partial_acceptance)


def describe_limits(limits: Limits) -> str:
    parts = []
    if limits.max_weight is not None:
        parts.append(f"up to {limits.max_weight / 1000:g} kg")
    if all(side is not None for side in limits.sides):
        parts.append("×".join(str(side) for side in limits.sides) + " mm")
    return ", ".join(parts) or "no limits known"
