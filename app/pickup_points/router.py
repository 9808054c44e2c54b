"""/api/v1/pickup-points: search the synced network, sync it now (admin)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from app.deps import AdminDep, PrincipalDep, RuntimeDep, SessionDep
from app.errors import ERROR_RESPONSES, PROBLEM_MEDIA_TYPE, InvalidInput, NotFound, Problem
from app.pickup_points import service
from app.pickup_points.schemas import (
    CityList,
    PickupPointList,
    PickupPointOut,
    PointType,
    SyncReport,
)
from app.pickup_points.service import Near, ParcelFilter, SearchQuery
from app.pickup_points.sync import run_sync

router = APIRouter(
    prefix="/api/v1/pickup-points", tags=["pickup points"], responses=ERROR_RESPONSES
)

DEFAULT_RADIUS_KM = 10.0
_PROBLEM = {"model": Problem, "content": {PROBLEM_MEDIA_TYPE: {}}}


def search_query(
    city: Annotated[str | None, Query(min_length=1, max_length=200, examples=["Москва"])] = None,
    lat: Annotated[
        float | None, Query(ge=-90, le=90, description="With lon: nearest first")
    ] = None,
    lon: Annotated[float | None, Query(ge=-180, le=180)] = None,
    radius_km: Annotated[
        float | None, Query(gt=0, le=100, description="Around lat/lon; 10 when omitted")
    ] = None,
    type: Annotated[PointType | None, Query(description="pvz | locker")] = None,
    cash_on_delivery: Annotated[bool | None, Query()] = None,
    card_payment: Annotated[bool | None, Query()] = None,
    weight: Annotated[int | None, Query(gt=0, le=1_000_000, description="grams")] = None,
    length: Annotated[int | None, Query(gt=0, le=10_000, description="millimetres")] = None,
    width: Annotated[int | None, Query(gt=0, le=10_000)] = None,
    height: Annotated[int | None, Query(gt=0, le=10_000)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> SearchQuery:
    """The search's query parameters, checked together (422 names the field at fault)."""
    if (lat is None) != (lon is None):
        missing = "lon" if lon is None else "lat"
        raise InvalidInput(
            "lat and lon go together: send both for nearest-first search", loc=["query", missing]
        )
    if radius_km is not None and lat is None:
        raise InvalidInput("radius_km needs lat and lon", loc=["query", "radius_km"])
    sides = (length, width, height)
    if any(s is not None for s in sides) and not all(s is not None for s in sides):
        missing = next(
            n for n, s in zip(("length", "width", "height"), sides, strict=True) if s is None
        )
        raise InvalidInput(
            "length, width and height go together: send all three sides of the parcel",
            loc=["query", missing],
        )
    near = None
    if lat is not None and lon is not None:
        near = Near(lat, lon, radius_km if radius_km is not None else DEFAULT_RADIUS_KM)
    parcel = None
    if weight is not None or length is not None:
        parcel = ParcelFilter(
            weight=weight,
            sides=(length, width, height)
            if length is not None and width is not None and height is not None
            else None,
        )
    return SearchQuery(
        city=city,
        near=near,
        type=type,
        cash_on_delivery=cash_on_delivery,
        card_payment=card_payment,
        parcel=parcel,
        limit=limit,
        offset=offset,
    )


SearchDep = Annotated[SearchQuery, Depends(search_query)]


@router.get("", summary="Search active pickup points (nearest first with lat/lon)")
async def search_pickup_points(
    query: SearchDep, _: PrincipalDep, session: SessionDep
) -> PickupPointList:
    """Only active points that fit the parcel (`weight`; `length`/`width`/`height` in any order:
    sides are compared sorted). `city` ignores case and ё/е. With `lat`/`lon`: points within
    `radius_km`, nearest first, each with `distance_km`. `total` counts all matches."""
    return await service.search(session, query)


@router.get("/cities", summary="Cities with active points, by part of the name")
async def search_cities(
    q: Annotated[str, Query(min_length=1, max_length=200)],
    _: PrincipalDep,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> CityList:
    return CityList(cities=await service.cities(session, q, limit=limit))


@router.post(
    "/sync",
    summary="Pull the whole network from Ozon now (admin)",
    responses={
        409: {**_PROBLEM, "description": "A sync is running, no delivery service, or refused"},
        424: {**_PROBLEM, "description": "Ozon refused the credentials used for the sync"},
        503: {**_PROBLEM, "description": "Ozon did not give the list; the old network is kept"},
    },
)
async def sync_pickup_points(
    _: AdminDep,
    runtime: RuntimeDep,
    force: Annotated[
        bool, Query(description="Apply even if more than the allowed share would deactivate")
    ] = False,
) -> SyncReport:
    """The same job the schedule runs. One at a time across all processes: while one runs, this
    answers 409. All pages or nothing: a failure keeps the previous network."""
    report = await run_sync(runtime, "api", force=force)
    assert report is not None  # only a scheduled run (with a due check) can be skipped
    return report


@router.get("/{point_id}", summary="One active pickup point")
async def get_pickup_point(
    point_id: Annotated[str, Path(min_length=1, max_length=64)],
    _: PrincipalDep,
    session: SessionDep,
) -> PickupPointOut:
    point = await service.find_active(session, point_id)
    if point is None:
        raise NotFound(f"Pickup point {point_id} is not offered (unknown or inactive)")
    return point
