"""Pickup-point search answers and sync reports as bridge-api.md names them."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, SerializerFunctionWrapHandler, model_serializer

PointType = Literal["pvz", "locker"]


class PickupPointOut(BaseModel):
    id: str = Field(examples=["PVZ-77-000123"])
    type: PointType
    name: str
    city: str
    address: str
    lat: float
    lon: float
    working_hours: str | None
    cash_on_delivery: bool
    card_payment: bool
    partial_acceptance: bool = Field(description="Lockers never accept partially.")
    max_weight: int | None = Field(description="grams; null: no limit")
    max_length: int | None = Field(description="millimetres; null: no limit")
    max_width: int | None
    max_height: int | None
    distance_km: float | None = Field(
        default=None, description="Only when lat/lon were given: great-circle distance."
    )

    @model_serializer(mode="wrap")
    def _distance_only_when_known(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        if data.get("distance_km") is None:
            data.pop("distance_km", None)
        return data


class PickupPointList(BaseModel):
    points: list[PickupPointOut]
    total: int = Field(description="Matching points in all, before limit and offset.")
    limit: int
    offset: int


class CityOut(BaseModel):
    city: str
    points: int = Field(description="Active points in the city")
    lat: float = Field(description="The middle of the city's points")
    lon: float


class CityList(BaseModel):
    cities: list[CityOut]


class SyncReport(BaseModel):
    added: int = Field(description="Points new to the bridge")
    updated: int = Field(description="Known points whose data changed (reactivated included)")
    deactivated: int = Field(description="Points no longer offered: gone from the list or inactive")
    total: int = Field(description="Points Ozon listed in this sync")
    active: int = Field(description="Points offered after the sync")
    pages: int
    seconds: float
