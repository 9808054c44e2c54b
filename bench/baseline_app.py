"""The baseline for the calculate bench: bare FastAPI, the same request body, a constant answer."""

from __future__ import annotations

from decimal import Decimal

from fastapi import FastAPI

from app.calculate.schemas import CalculateRequest, CalculateResponse, OptionOut, SelectedOut

# Shaped like the bridge's answer for the bench's Moscow parcel: two options and the selection.
ANSWER = CalculateResponse(
    options=[
        OptionOut(
            option_id="courier-WH-1-MOW-00000001",
            delivery_type="courier",
            tariff="Ozon Rocket Курьер",
            price=Decimal("412.45"),
            carrier_price=Decimal("412.45"),
            currency="RUB",
            days_min=1,
            days_max=2,
            partial_acceptance=True,
            cash_on_delivery=True,
        ),
        OptionOut(
            option_id="next_day-WH-1-MOW-00000002",
            delivery_type="next_day",
            tariff="Ozon Rocket Завтра",
            price=Decimal("612.45"),
            carrier_price=Decimal("612.45"),
            currency="RUB",
            days_min=1,
            days_max=1,
            partial_acceptance=True,
            cash_on_delivery=True,
        ),
    ],
    selected=SelectedOut(
        option_id="courier-WH-1-MOW-00000001",
        delivery_type="courier",
        tariff="Ozon Rocket Курьер",
        price=Decimal("412.45"),
        days_min=1,
        days_max=2,
        description="Ozon Rocket курьером, 1–2 дн.",
    ),
    cached=True,
)


def create_baseline_app() -> FastAPI:
    app = FastAPI(title="calculate baseline")

    @app.post("/api/v1/calculate")
    async def calculate(body: CalculateRequest) -> CalculateResponse:
        return ANSWER

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
