"""The checkout widget: an open page, its open read-only search, and its static files.

The page runs in the buyer's browser inside the shop's checkout, so it carries no token: a shop
token there would let any buyer create shipments. Its data calls go to read-only twins of the
search under /widget, which show only what Ozon publishes anyway (the public network).
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, FastAPI, Query
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from app.config import Settings
from app.deps import RuntimeDep, SessionDep
from app.errors import ERROR_RESPONSES, InvalidInput
from app.pickup_points import service
from app.pickup_points.router import SearchDep
from app.pickup_points.schemas import CityList, PickupPointList, PointType

STATIC_DIR = Path(__file__).resolve().parent / "static"
LEAFLET_SUBDIR = Path("leaflet") / "dist"
_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.\-]+(:\d{1,5})?$")

router = APIRouter(prefix="/widget", tags=["widget"], responses={422: ERROR_RESPONSES[422]})


def leaflet_dir(settings: Settings) -> Path:
    return Path(settings.widget_vendor_dir) / LEAFLET_SUBDIR


def mount_widget_static(app: FastAPI, settings: Settings) -> None:
    """Our JS/CSS, and Leaflet from where `make` had npm put it (absent: the list still works)."""
    if leaflet_dir(settings).is_dir():
        app.mount(
            "/widget/static/vendor/leaflet",
            StaticFiles(directory=leaflet_dir(settings)),
            name="widget-leaflet",
        )
    app.mount("/widget/static", StaticFiles(directory=STATIC_DIR), name="widget-static")


def _csp() -> str:
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            # Leaflet positions tiles and markers with inline styles.
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: https: http:",
            "connect-src 'self'",
            "frame-ancestors *",
        ]
    )


@router.get(
    "/pickup-points",
    response_class=HTMLResponse,
    summary="The checkout widget (open): list, map and choice of a pickup point",
)
async def widget_page(
    runtime: RuntimeDep,
    shop_id: Annotated[str | None, Query(max_length=64)] = None,
    city: Annotated[str | None, Query(max_length=200)] = None,
    weight: Annotated[int | None, Query(gt=0, le=1_000_000)] = None,
    length: Annotated[int | None, Query(gt=0, le=10_000)] = None,
    width: Annotated[int | None, Query(gt=0, le=10_000)] = None,
    height: Annotated[int | None, Query(gt=0, le=10_000)] = None,
    type: Annotated[PointType | None, Query()] = None,
    cash_on_delivery: Annotated[bool | None, Query()] = None,
    origin: Annotated[
        str | None,
        Query(max_length=200, description="The checkout's origin: postMessage targets it"),
    ] = None,
) -> HTMLResponse:
    """Embed in an iframe; the choice reaches the parent as
    `{"type": "ozon-rocket:pickup-point-selected", "point": {...}}` (bitrix-module-rest.md)."""
    settings = runtime.settings
    target = origin or settings.widget_parent_origin
    if target != "*" and not _ORIGIN.match(target):
        raise InvalidInput(
            "origin must be like https://shop.example.ru (scheme, host, optional port)",
            loc=["query", "origin"],
        )
    leaflet = (leaflet_dir(settings) / "leaflet.js").is_file()
    config = {
        "searchUrl": "pickup-points/search",
        "citiesUrl": "pickup-points/cities",
        "targetOrigin": target,
        "tileUrl": settings.widget_tile_url,
        "tileAttribution": settings.widget_tile_attribution,
        "map": leaflet,
        "shopId": shop_id,
        "initial": {
            "city": city,
            "weight": weight,
            "length": length,
            "width": width,
            "height": height,
            "type": type,
            "cash_on_delivery": cash_on_delivery,
        },
    }
    return HTMLResponse(
        render_page(config, leaflet=leaflet),
        headers={"Content-Security-Policy": _csp(), "Cache-Control": "no-cache"},
    )


def render_page(config: dict[str, object], *, leaflet: bool) -> str:
    # The config travels as JSON in a non-executed script block; "</" is escaped so no value
    # can close the block early.
    data = json.dumps(config, ensure_ascii=False).replace("</", "<\\/")
    vendor_css = (
        '<link rel="stylesheet" href="static/vendor/leaflet/leaflet.css">' if leaflet else ""
    )
    vendor_js = '<script src="static/vendor/leaflet/leaflet.js"></script>' if leaflet else ""
    return PAGE.format(
        title=html.escape("Пункты выдачи Ozon Rocket"),
        vendor_css=vendor_css,
        vendor_js=vendor_js,
        config=data,
    )


PAGE = """<!doctype html>
<html lang="ru">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
{vendor_css}
<link rel="stylesheet" href="static/widget.css">
</head>
<body>
<main class="orw" id="orw">
  <form class="orw-search" id="orw-search" autocomplete="off">
    <label class="orw-visually-hidden" for="orw-city">Город</label>
    <input id="orw-city" name="city" type="search" list="orw-cities"
           placeholder="Город, например Москва" required>
    <datalist id="orw-cities"></datalist>
    <button type="submit" id="orw-find">Найти</button>
    <button type="button" id="orw-near-me" title="Пункты рядом со мной">Рядом со мной</button>
  </form>
  <div class="orw-filters" id="orw-filters">
    <label>Тип
      <select id="orw-type" name="type">
        <option value="">Все</option>
        <option value="pvz">Пункты выдачи</option>
        <option value="locker">Постаматы</option>
      </select>
    </label>
    <label><input type="checkbox" id="orw-cod" name="cash_on_delivery"> Оплата при получении</label>
    <label><input type="checkbox" id="orw-card" name="card_payment"> Оплата картой</label>
  </div>
  <p class="orw-status" id="orw-status" role="status" aria-live="polite">
    Введите город, чтобы увидеть пункты выдачи.</p>
  <div class="orw-body">
    <ol class="orw-list" id="orw-list" aria-label="Пункты выдачи"></ol>
    <div class="orw-map" id="orw-map" aria-label="Карта"></div>
  </div>
</main>
<script type="application/json" id="orw-config">{config}</script>
{vendor_js}
<script src="static/widget.js"></script>
</body>
</html>
"""


@router.get("/pickup-points/search", summary="The widget's search (open, read-only)")
async def widget_search(query: SearchDep, session: SessionDep) -> PickupPointList:
    """The same answer as GET /api/v1/pickup-points, without a token: public network data."""
    return await service.search(session, query)


@router.get("/pickup-points/cities", summary="The widget's city suggestions (open, read-only)")
async def widget_cities(
    q: Annotated[str, Query(min_length=1, max_length=200)],
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=20)] = 10,
) -> CityList:
    return CityList(cities=await service.cities(session, q, limit=limit))
