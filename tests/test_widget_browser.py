"""The checkout widget in a real headless Chromium: a Bitrix-like checkout on another origin opens
it with the Bitrix module's checkout.js (served from disk, as /bitrix/js/... on the shop), the buyer
finds a city and picks a point, the checkout receives it.

Debian's /usr/bin/chromium driven by Playwright (never a browser Playwright downloads); without
either the test skips and says why. Screenshots land in artifacts/ (widget.png: with the map).
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from starlette.applications import Starlette
from starlette.responses import FileResponse, HTMLResponse
from starlette.routing import Route

from app.config import Settings
from app.main import create_app
from app.pickup_points.widget import leaflet_dir
from tests.conftest import ADMIN, DEFAULT_PARAMS
from tests.serving import serve_built_in_thread, serve_in_thread

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parent.parent
# The one checkout script: installed by the module into the shop's /bitrix/js/.
CHECKOUT_JS = (
    ROOT / "bitrix-module/ozonbridge.ozonrocket/install/js/ozonbridge.ozonrocket/checkout.js"
)
CHECKOUT_JS_PATH = "/bitrix/js/ozonbridge.ozonrocket/checkout.js"
PICKUP_DELIVERY_ID = 33
ARTIFACTS = ROOT / "artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# bitrix-module-rest.md: exactly these fields of the point go to the checkout.
MESSAGE_FIELDS = (
    "id",
    "type",
    "name",
    "address",
    "city",
    "lat",
    "lon",
    "cash_on_delivery",
    "card_payment",
)


def _skip_reason() -> str | None:
    if not CHROMIUM.exists():
        return (
            "no browser: Debian's chromium is not installed at /usr/bin/chromium "
            "(`apt-get install -y chromium`; .ci/run installs it)"
        )
    if importlib.util.find_spec("playwright") is None:
        return "playwright (Python) is not installed: pip install -c constraints.txt -e '.[dev]'"
    return None


pytestmark = pytest.mark.skipif(_skip_reason() is not None, reason=_skip_reason() or "")

CHECKOUT_PAGE = """<!doctype html>
<html lang="ru"><head><meta charset="utf-8"><title>Оформление заказа</title></head>
<body>
<h1>Оформление заказа</h1>
<form id="bx-soa-order-form">
  <div id="bx-soa-delivery"><div class="bx-soa-section-content">
    <label><input type="radio" name="DELIVERY_ID" value="__DELIVERY__" checked>
      Ozon Rocket: в пункт выдачи</label>
  </div></div>
  <div class="bx-soa-customer-field" data-property-id-row="7">
    <label for="soa-property-7">Пункт выдачи Ozon Rocket</label>
    <input type="text" name="ORDER_PROP_7" id="soa-property-7" value="" readonly>
  </div>
</form>
<script>
  window.received = [];
  window.recalculations = 0;
  window.selectedEvents = [];
  window.addEventListener("message", function (event) {
    window.received.push({data: event.data, origin: event.origin});
  });
  // sale.order.ajax as far as checkout.js uses it: BX.ready and custom events, the component's
  // data with what PickupPointScript::onSaleComponentOrderJsData puts there, the recalculation.
  window.BX = {
    ready: function (fn) { fn(); },
    addCustomEvent: function () {},
    onCustomEvent: function (name, args) { window.selectedEvents.push([name, args[0].id]); },
    Sale: {OrderAjaxComponent: {
      result: __RESULT__,
      sendRequest: function () { window.recalculations += 1; }
    }}
  };
</script>
<script src="__CHECKOUT_JS__"></script>
</body></html>
"""


def component_result(bridge: str, shop_id: str) -> dict[str, Any]:
    """BX.Sale.OrderAjaxComponent.result of a checkout with the pickup-point profile checked."""
    return {
        "DELIVERY": [{"ID": PICKUP_DELIVERY_ID, "CHECKED": "Y"}],
        "ORDER_PROP": {
            "properties": [{"ID": 7, "CODE": "OZON_PVZ", "VALUE": [""]}, {"ID": 8, "CODE": "PHONE"}]
        },
        "OZON_ROCKET": {
            "propertyCode": "OZON_PVZ",
            "deliveries": {
                str(PICKUP_DELIVERY_ID): {
                    "widgetUrl": f"{bridge}/widget/pickup-points?shop_id={shop_id}",
                    "origin": bridge,
                }
            },
            "city": "",
            "weight": 1200,
            "messages": {
                "choose": "Выбрать пункт выдачи",
                "change": "Выбрать другой пункт",
                "chosen": "Пункт выдачи:",
                "close": "Закрыть",
                "title": "Пункты выдачи Ozon Rocket",
            },
        },
    }


def checkout_app(bridge: str, shop_id: str) -> Starlette:
    page = (
        CHECKOUT_PAGE.replace("__RESULT__", json.dumps(component_result(bridge, shop_id)))
        .replace("__DELIVERY__", str(PICKUP_DELIVERY_ID))
        .replace("__CHECKOUT_JS__", CHECKOUT_JS_PATH)
    )

    async def checkout(_: Any) -> HTMLResponse:
        return HTMLResponse(page)

    async def checkout_js(_: Any) -> FileResponse:
        return FileResponse(CHECKOUT_JS, media_type="text/javascript")

    return Starlette(routes=[Route("/checkout", checkout), Route(CHECKOUT_JS_PATH, checkout_js)])


@pytest.fixture(params=["map", "list-only"])
def widget_settings(request: pytest.FixtureRequest, settings: Settings, tmp_path: Path) -> Settings:
    """With Leaflet where `make widget` put it, and without any (the list alone must work)."""
    if request.param == "map":
        if not (leaflet_dir(settings) / "leaflet.js").is_file():
            pytest.skip(f"Leaflet is not installed in {settings.widget_vendor_dir}: `make widget`")
        return settings
    return settings.model_copy(update={"widget_vendor_dir": str(tmp_path)})


@pytest.fixture
def bridge(widget_settings: Settings) -> Iterator[str]:
    """The bridge served on a loopback port with the Ozon sandbox mounted, as `make run` does."""

    def build(base_url: str) -> FastAPI:
        return create_app(
            widget_settings.model_copy(
                update={
                    "sandbox": True,
                    "ozon_base_url": f"{base_url}/sandbox/ozon-rocket",
                    # Tiles that cannot load: the list must work without them.
                    "widget_tile_url": "http://127.0.0.1:9/{z}/{x}/{y}.png",
                }
            )
        )

    with serve_built_in_thread(build) as base_url:
        yield base_url


def test_a_buyer_picks_a_point_and_the_checkout_receives_it(
    bridge: str, widget_settings: Settings
) -> None:
    from playwright.sync_api import sync_playwright

    with_map = (leaflet_dir(widget_settings) / "leaflet.js").is_file()
    screenshot = ARTIFACTS / ("widget.png" if with_map else "widget-list-only.png")

    with httpx.Client(base_url=bridge, timeout=60) as api:
        shop = api.post("/api/v1/shops", json={"name": "Магазин"}, headers=ADMIN).json()
        token = {"Authorization": f"Bearer {shop['token']}"}
        put = api.put(
            f"/api/v1/shops/{shop['id']}/delivery-services/12",
            json={"params": DEFAULT_PARAMS},
            headers=token,
        )
        assert put.status_code == 201, put.text
        synced = api.post("/api/v1/pickup-points/sync", headers=ADMIN)
        assert synced.status_code == 200, synced.text
        assert synced.json()["added"] >= 7000

        # Another origin than the bridge's: localhost vs 127.0.0.1.
        with serve_in_thread(checkout_app(bridge, shop["id"])) as checkout_url:
            checkout_url = checkout_url.replace("127.0.0.1", "localhost")
            outcome = drive_browser(sync_playwright, checkout_url, screenshot)

        point_id = outcome["point_id"]
        point = api.get(f"/api/v1/pickup-points/{point_id}", headers=token).json()

    expected = {
        "type": "ozon-rocket:pickup-point-selected",
        "point": {field: point[field] for field in MESSAGE_FIELDS},
    }
    assert outcome["received"] == [{"data": expected, "origin": bridge}]
    assert outcome["callback"] == expected["point"]
    assert outcome["property_value"] == point_id
    assert outcome["recalculations"] == 1
    assert outcome["selected_events"] == [["onOzonRocketPickupPointSelected", point_id]]
    assert outcome["modal_closed"]
    assert outcome["property_row_hidden"]  # the button stands in for the raw text field
    assert point["city"] == "Санкт-Петербург"
    assert outcome["distances"] == sorted(outcome["distances"])
    assert outcome["distances"][0] < 2
    assert outcome["card_only"]
    assert outcome["page_errors"] == []
    if with_map:
        assert outcome["markers"] == outcome["listed"] > 0
    else:
        assert outcome["markers"] == 0  # no Leaflet installed: the list alone
        assert outcome["map_hidden"]
    assert screenshot.stat().st_size > 10_000


def drive_browser(sync_playwright: Any, checkout_url: str, screenshot: Path) -> dict[str, Any]:
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 760}, locale="ru-RU")
            page.set_default_timeout(20_000)
            page_errors: list[str] = []
            callbacks: list[Any] = []
            page.on("pageerror", lambda error: page_errors.append(str(error)))

            def on_console(message: Any) -> None:
                if message.text.startswith("onSelect:"):
                    callbacks.append(json.loads(message.text.removeprefix("onSelect:")))

            page.on("console", on_console)
            page.goto(checkout_url + "/checkout")
            property_row_hidden = page.locator('[data-property-id-row="7"]').is_hidden()
            page.click(".ozon-rocket-pvz-button")
            widget = page.frame_locator("iframe.ozon-rocket-pvz-frame")
            widget.locator("#orw-city").fill("санкт петербург")  # case, no hyphen
            widget.locator("#orw-find").click()
            items = widget.locator("li.orw-point")
            items.first.wait_for()
            assert widget.locator("#orw-city").input_value() == "Санкт-Петербург"
            assert "Найдено" in widget.locator("#orw-status").inner_text()

            searches = int(widget.locator("#orw").get_attribute("data-searches") or "0")
            widget.locator("#orw-card").check()  # a filter: card payment only
            widget.locator(f'#orw[data-searches="{searches + 1}"]').wait_for()
            listed = items.count()
            distances = [
                float(items.nth(i).get_attribute("data-distance-km") or "nan")
                for i in range(listed)
            ]
            card_only = all(
                items.nth(i).locator(".orw-badge-card").count() == 1 for i in range(min(listed, 20))
            )
            markers = widget.locator("path.leaflet-interactive").count()
            map_hidden = "orw-map-off" in (widget.locator("#orw-map").get_attribute("class") or "")
            page.screenshot(path=str(screenshot))

            frame = next(f for f in page.frames if "/widget/pickup-points" in f.url)
            frame.evaluate(
                "window.OzonRocketWidget = {onSelect: function (p) {"
                " console.log('onSelect:' + JSON.stringify(p)); }}"
            )
            first = items.first
            point_id = first.get_attribute("data-point-id")
            first.locator(".orw-point-choose").click()
            page.wait_for_function("window.received.length > 0")
            page.wait_for_function("window.recalculations > 0")
            page.screenshot(path=str(screenshot.with_name(screenshot.stem + "-chosen.png")))
            return {
                "point_id": point_id,
                "received": page.evaluate("window.received"),
                "callback": callbacks[0] if callbacks else None,
                "property_value": page.input_value("#soa-property-7"),
                "recalculations": page.evaluate("window.recalculations"),
                "selected_events": page.evaluate("window.selectedEvents"),
                "modal_closed": page.locator("iframe.ozon-rocket-pvz-frame").count() == 0,
                "property_row_hidden": property_row_hidden,
                "distances": distances,
                "card_only": card_only,
                "listed": listed,
                "markers": markers,
                "page_errors": page_errors,
                "map_hidden": map_hidden,
            }
        finally:
            browser.close()
