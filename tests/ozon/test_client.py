"""The Ozon Rocket adapter against a respx-mocked Ozon: tokens, retries, deadlines, errors."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
import respx
from structlog.testing import capture_logs

from app.config import Settings
from app.domain.carrier import (
    Address,
    Carrier,
    CarrierAuthError,
    CarrierConflict,
    CarrierCredentials,
    CarrierNotFound,
    CarrierUnavailableError,
    CarrierValidationError,
    OrderItem,
    OrderRequest,
    Package,
    QuoteRequest,
    Recipient,
)
from app.ozon.client import OzonRocketClient, build_http_client

BASE = "https://ozon.test/api/logistics"
API_KEY = "ozk_live_7f3a9c2e1b"
CREDS = CarrierCredentials(api_key=API_KEY, seller_id="SELLER-1")
TOKEN = "eyJ.first-token.sig"

QUOTE = QuoteRequest(
    warehouse_id="WH-1",
    destination="to_address",
    address=Address(city="Москва", street="Тверская", house="7"),
    pickup_point_id=None,
    packages=(Package(weight=1200, length=300, width=200, height=100),),
    declared_value=Decimal("4990"),
)
ORDER = OrderRequest(
    seller_order_number="SHOP-10452",
    warehouse_id="WH-1",
    delivery_type="courier",
    option_id="opt_courier_std",
    pickup_point_id=None,
    recipient=Recipient(name="Иван Петров", phone="+79161234567", email="i@example.ru"),
    address=Address(city="Москва", street="Тверская", house="7", apartment="12", zip="125009"),
    packages=(Package(weight=1200, length=300, width=200, height=100),),
    items=(
        OrderItem("A-100", "Кружка", 2, Decimal("500"), Decimal("500")),
        OrderItem("B-200", "Чайник", 1, Decimal("3990"), Decimal("3990")),
    ),
    payment_method="prepaid",
    declared_value=Decimal("4990"),
    allow_partial_acceptance=True,
)
OPTIONS_BODY = {
    "options": [
        {
            "option_id": "opt_courier_std",
            "delivery_type": "courier",
            "tariff": "Courier standard",
            "price": 349.0,
            "currency": "RUB",
            "days_min": 2,
            "days_max": 4,
            "partial_acceptance": True,
            "cash_on_delivery": True,
        }
    ]
}


def order_json(order_id: str = "RKT-4F2A9C", seller_order_number: str = "SHOP-10452") -> Any:
    return {
        "order_id": order_id,
        "seller_order_number": seller_order_number,
        "status": "created",
        "tracking_number": "OZR123456789RU",
        "updated_at": "2026-12-01T10:15:00+03:00",
        "status_history": [{"status": "created", "at": "2026-12-01T10:00:00+03:00"}],
        "items": [],
        "cod_collected": 0.0,
    }


def token_reply(token: str = TOKEN, expires_in: int = 3600) -> httpx.Response:
    return httpx.Response(
        200, json={"access_token": token, "token_type": "Bearer", "expires_in": expires_in}
    )


def error_reply(status: int, code: str, **extra: Any) -> httpx.Response:
    headers = {"X-Request-Id": f"ozon-req-{status}"}
    return httpx.Response(
        status, json={"error_code": code, "message": code, **extra}, headers=headers
    )


def bearer(request: httpx.Request) -> str:
    return request.headers["Authorization"].removeprefix("Bearer ")


class FakeTime:
    """A clock that only moves when the client sleeps, so retries cost no wall time."""

    def __init__(self) -> None:
        self.now = 1_000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


@pytest.fixture
def ozon() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        router.post("/v1/auth/token", name="token").mock(return_value=token_reply())
        yield router


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=BASE, timeout=5.0) as client:
        yield client


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def client(http: httpx.AsyncClient, fake_time: FakeTime) -> OzonRocketClient:
    return OzonRocketClient(
        http,
        call_deadline=15.0,
        max_attempts=3,
        sleep=fake_time.sleep,
        clock=fake_time.clock,
        rng=lambda: 0.5,
    )


def test_client_is_a_carrier(client: OzonRocketClient) -> None:
    carrier: Carrier = client  # mypy checks the protocol; a second adapter would do the same
    assert carrier is client


async def test_http_client_is_built_from_settings() -> None:
    settings = Settings(
        ozon_base_url="https://rocket.example/api", ozon_connect_timeout=1.5, ozon_read_timeout=7.0
    )
    async with build_http_client(settings) as http:
        assert str(http.base_url) == "https://rocket.example/api/"
        assert (http.timeout.connect, http.timeout.read) == (1.5, 7.0)


# --- tokens ---


async def test_token_is_fetched_once_and_reused(
    client: OzonRocketClient, ozon: respx.MockRouter
) -> None:
    calculate = ozon.post("/v1/calculate").respond(200, json=OPTIONS_BODY)

    first = await client.calculate(CREDS, QUOTE)
    second = await client.calculate(CREDS, QUOTE)

    assert first == second
    assert [bearer(call.request) for call in calculate.calls] == [TOKEN, TOKEN]
    sent = json.loads(ozon["token"].calls.last.request.content)
    assert sent == {"api_key": API_KEY, "seller_id": "SELLER-1"}
    assert ozon["token"].call_count == 1


async def test_token_is_refetched_shortly_before_it_expires(
    client: OzonRocketClient, ozon: respx.MockRouter, fake_time: FakeTime
) -> None:
    ozon["token"].side_effect = [token_reply("tok-1", 600), token_reply("tok-2", 600)]
    get = ozon.get("/v1/orders/RKT-4F2A9C").respond(200, json=order_json())

    await client.get_order(CREDS, "RKT-4F2A9C")
    fake_time.now += 590  # inside the 60 s (here 10% of 600 s) safety margin
    await client.get_order(CREDS, "RKT-4F2A9C")

    assert [bearer(call.request) for call in get.calls] == ["tok-1", "tok-2"]


async def test_fifty_concurrent_calls_share_one_token_fetch(
    client: OzonRocketClient, ozon: respx.MockRouter
) -> None:
    async def slow_token(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.01)  # keep the fetch in flight while the others arrive
        return token_reply()

    ozon["token"].side_effect = slow_token
    ozon.get("/v1/orders/RKT-4F2A9C").respond(200, json=order_json())

    states = await asyncio.gather(*(client.get_order(CREDS, "RKT-4F2A9C") for _ in range(50)))

    assert {state.order_id for state in states} == {"RKT-4F2A9C"}
    assert ozon["token"].call_count == 1


async def test_revoked_token_is_replaced_once_and_the_call_repeated(
    client: OzonRocketClient, ozon: respx.MockRouter
) -> None:
    ozon["token"].side_effect = [token_reply("tok-1"), token_reply("tok-2")]

    def calculate(request: httpx.Request) -> httpx.Response:
        if bearer(request) == "tok-1":
            return error_reply(401, "TOKEN_EXPIRED")
        return httpx.Response(200, json=OPTIONS_BODY)

    route = ozon.post("/v1/calculate").mock(side_effect=calculate)

    options = await client.calculate(CREDS, QUOTE)

    assert [o.option_id for o in options] == ["opt_courier_std"]
    assert [bearer(call.request) for call in route.calls] == ["tok-1", "tok-2"]
    assert ozon["token"].call_count == 2


async def test_fifty_callers_with_a_revoked_token_cause_one_refetch(
    client: OzonRocketClient, ozon: respx.MockRouter
) -> None:
    issued: list[str] = []

    async def token(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.01)
        issued.append(f"tok-{len(issued) + 1}")
        return token_reply(issued[-1])

    ozon["token"].side_effect = token
    revoked: set[str] = set()

    def get(request: httpx.Request) -> httpx.Response:
        if bearer(request) in revoked:
            return error_reply(401, "TOKEN_EXPIRED")
        return httpx.Response(200, json=order_json())

    ozon.get("/v1/orders/RKT-4F2A9C").mock(side_effect=get)
    await client.get_order(CREDS, "RKT-4F2A9C")
    revoked.add("tok-1")

    states = await asyncio.gather(*(client.get_order(CREDS, "RKT-4F2A9C") for _ in range(50)))

    assert len(states) == 50
    assert issued == ["tok-1", "tok-2"]
    assert ozon["token"].call_count == 2


async def test_a_fresh_token_rejected_again_is_not_looped_on(
    client: OzonRocketClient, ozon: respx.MockRouter
) -> None:
    ozon.get("/v1/orders/RKT-1").mock(return_value=error_reply(401, "TOKEN_EXPIRED"))

    with pytest.raises(CarrierUnavailableError) as caught:
        await client.get_order(CREDS, "RKT-1")

    assert caught.value.error_code == "TOKEN_EXPIRED"
    assert ozon["token"].call_count == 2


async def test_invalid_api_key_is_an_auth_error_without_retries(
    client: OzonRocketClient, ozon: respx.MockRouter
) -> None:
    ozon["token"].mock(return_value=error_reply(401, "INVALID_API_KEY"))
    calculate = ozon.post("/v1/calculate").respond(200, json=OPTIONS_BODY)

    with pytest.raises(CarrierAuthError) as caught:
        await client.calculate(CREDS, QUOTE)

    assert caught.value.error_code == "INVALID_API_KEY"
    assert caught.value.request_id == "ozon-req-401"
    assert ozon["token"].call_count == 1
    assert not calculate.called


async def test_a_failing_token_fetch_is_retried_once_per_call_not_per_attempt(
    client: OzonRocketClient, ozon: respx.MockRouter
) -> None:
    ozon["token"].mock(return_value=error_reply(503, "UNAVAILABLE"))
    calculate = ozon.post("/v1/calculate").respond(200, json=OPTIONS_BODY)

    with pytest.raises(CarrierUnavailableError) as caught:
        await client.calculate(CREDS, QUOTE)

    assert caught.value.status == 503
    assert ozon["token"].call_count == 3  # max_attempts, not max_attempts squared
    assert not calculate.called


async def test_forbidden_is_an_auth_error(client: OzonRocketClient, ozon: respx.MockRouter) -> None:
    ozon.get("/v1/pickup-points").mock(return_value=error_reply(403, "FORBIDDEN"))

    with pytest.raises(CarrierAuthError) as caught:
        await client.list_pickup_points(CREDS)

    assert (caught.value.status, caught.value.error_code) == (403, "FORBIDDEN")


# --- retries ---


async def test_503_is_retried_with_backoff_then_succeeds(
    client: OzonRocketClient, ozon: respx.MockRouter, fake_time: FakeTime
) -> None:
    ozon.post("/v1/calculate").mock(
        side_effect=[
            error_reply(503, "UNAVAILABLE"),
            error_reply(503, "UNAVAILABLE"),
            httpx.Response(200, json=OPTIONS_BODY),
        ]
    )

    options = await client.calculate(CREDS, QUOTE)

    assert options[0].price == Decimal("349.00")
    # Full jitter with rng 0.5: half of 0.2 s, then half of 0.4 s.
    assert fake_time.sleeps == [pytest.approx(0.1), pytest.approx(0.2)]


async def test_transport_errors_on_a_safe_call_are_retried(
    client: OzonRocketClient, ozon: respx.MockRouter
) -> None:
    ozon.get("/v1/orders/RKT-4F2A9C").mock(
        side_effect=[httpx.ConnectError("refused"), httpx.Response(200, json=order_json())]
    )

    state = await client.get_order(CREDS, "RKT-4F2A9C")

    assert state.tracking_number == "OZR123456789RU"


async def test_persistent_5xx_becomes_unavailable_after_max_attempts(
    client: OzonRocketClient, ozon: respx.MockRouter, fake_time: FakeTime
) -> None:
    route = ozon.get("/v1/orders/RKT-1").mock(
        return_value=httpx.Response(502, text="<html>Bad Gateway</html>")
    )

    with pytest.raises(CarrierUnavailableError) as caught:
        await client.get_order(CREDS, "RKT-1")

    assert caught.value.status == 502
    assert route.call_count == 3
    assert len(fake_time.sleeps) == 2


async def test_retry_after_is_honoured(
    client: OzonRocketClient, ozon: respx.MockRouter, fake_time: FakeTime
) -> None:
    ozon.get("/v1/pickup-points").mock(
        side_effect=[
            httpx.Response(429, json={"error_code": "RATE_LIMITED"}, headers={"Retry-After": "2"}),
            httpx.Response(200, json={"points": [], "next_page_token": None}),
        ]
    )

    page = await client.list_pickup_points(CREDS)

    assert page.points == ()
    assert fake_time.sleeps == [2.0]


async def test_retry_after_beyond_the_deadline_fails_at_once(
    client: OzonRocketClient, ozon: respx.MockRouter, fake_time: FakeTime
) -> None:
    ozon.post("/v1/calculate").mock(
        return_value=httpx.Response(
            429, json={"error_code": "RATE_LIMITED"}, headers={"Retry-After": "30"}
        )
    )

    with pytest.raises(CarrierUnavailableError) as caught:
        await client.calculate(CREDS, QUOTE, deadline=3.0)

    assert (caught.value.status, caught.value.error_code) == (429, "RATE_LIMITED")
    assert fake_time.sleeps == []


async def test_validation_error_is_not_retried_and_details_surface(
    client: OzonRocketClient, ozon: respx.MockRouter, fake_time: FakeTime
) -> None:
    route = ozon.post("/v1/calculate").mock(
        return_value=error_reply(
            400, "VALIDATION_ERROR", details={"packages[0].weight": ["must be > 0"]}
        )
    )

    with pytest.raises(CarrierValidationError) as caught:
        await client.calculate(CREDS, QUOTE)

    assert caught.value.error_code == "VALIDATION_ERROR"
    assert caught.value.details == {"packages[0].weight": ["must be > 0"]}
    assert caught.value.request_id == "ozon-req-400"
    assert route.call_count == 1
    assert fake_time.sleeps == []


async def test_unknown_order_is_not_found(client: OzonRocketClient, ozon: respx.MockRouter) -> None:
    ozon.get("/v1/orders/RKT-404").mock(return_value=error_reply(404, "ORDER_NOT_FOUND"))

    with pytest.raises(CarrierNotFound) as caught:
        await client.get_order(CREDS, "RKT-404")

    assert caught.value.error_code == "ORDER_NOT_FOUND"


async def test_garbage_success_body_is_retried_not_crashed_on(
    client: OzonRocketClient, ozon: respx.MockRouter
) -> None:
    ozon.get("/v1/orders/RKT-4F2A9C").mock(
        side_effect=[
            httpx.Response(200, text="<html>maintenance</html>"),
            httpx.Response(200, json={"order_id": "RKT-4F2A9C"}),  # truncated: fields missing
            httpx.Response(200, json=order_json()),
        ]
    )

    state = await client.get_order(CREDS, "RKT-4F2A9C")

    assert state.status == "created"


async def test_garbage_error_body_still_maps_to_the_status(
    client: OzonRocketClient, ozon: respx.MockRouter
) -> None:
    ozon.post("/v1/calculate").mock(return_value=httpx.Response(422, content=b"\xff\xfe not json"))

    with pytest.raises(CarrierValidationError) as caught:
        await client.calculate(CREDS, QUOTE)

    assert caught.value.error_code is None
    assert caught.value.message == "Ozon Rocket answered HTTP 422"


# --- create: exactly once ---


class FakeOzonOrders:
    """Ozon's side of create: dedupes by seller_order_number, can lose the first response."""

    def __init__(self, lose_first_response: bool) -> None:
        self.orders: dict[str, str] = {}  # seller_order_number -> order_id
        self.lose_first_response = lose_first_response

    def create(self, request: httpx.Request) -> httpx.Response:
        number = json.loads(request.content)["seller_order_number"]
        if number in self.orders:
            return error_reply(409, "ORDER_ALREADY_EXISTS", order_id=self.orders[number])
        order_id = f"RKT-{len(self.orders) + 1:06d}"
        self.orders[number] = order_id
        if self.lose_first_response:
            self.lose_first_response = False
            raise httpx.ReadTimeout("response lost", request=request)
        body = {**order_json(order_id, number), "created_at": "2026-12-01T10:00:00+03:00"}
        return httpx.Response(201, json=body)

    def get(self, request: httpx.Request, order_id: str) -> httpx.Response:
        for number, known_id in self.orders.items():
            if known_id == order_id:
                return httpx.Response(200, json=order_json(order_id, number))
        return error_reply(404, "ORDER_NOT_FOUND")


async def test_create_returns_the_new_order(
    client: OzonRocketClient, ozon: respx.MockRouter
) -> None:
    fake = FakeOzonOrders(lose_first_response=False)
    ozon.post("/v1/orders").mock(side_effect=fake.create)

    created = await client.create_order(CREDS, ORDER)

    assert (created.order_id, created.recovered) == ("RKT-000001", False)
    assert created.created_at == datetime(2026, 12, 1, 7, 0, tzinfo=UTC)


async def test_create_timeout_then_conflict_recovers_the_one_order(
    client: OzonRocketClient, ozon: respx.MockRouter
) -> None:
    fake = FakeOzonOrders(lose_first_response=True)
    create = ozon.post("/v1/orders").mock(side_effect=fake.create)
    ozon.get(path__regex=r"/v1/orders/(?P<order_id>[^/]+)$").mock(side_effect=fake.get)

    created = await client.create_order(CREDS, ORDER)

    assert fake.orders == {"SHOP-10452": "RKT-000001"}  # only one shipment ever created
    assert created.order_id == "RKT-000001"
    assert created.seller_order_number == "SHOP-10452"
    assert created.recovered is True
    assert created.tracking_number == "OZR123456789RU"
    assert created.created_at == datetime(2026, 12, 1, 7, 0, tzinfo=UTC)
    numbers = {json.loads(call.request.content)["seller_order_number"] for call in create.calls}
    assert numbers == {"SHOP-10452"}  # the retry reused the same number


async def test_conflict_on_the_first_create_is_recovered(
    client: OzonRocketClient, ozon: respx.MockRouter
) -> None:
    fake = FakeOzonOrders(lose_first_response=False)
    fake.orders["SHOP-10452"] = "RKT-EARLIER"
    ozon.post("/v1/orders").mock(side_effect=fake.create)
    ozon.get(path__regex=r"/v1/orders/(?P<order_id>[^/]+)$").mock(side_effect=fake.get)

    created = await client.create_order(CREDS, ORDER)

    assert (created.order_id, created.recovered) == ("RKT-EARLIER", True)
    assert len(fake.orders) == 1


async def test_conflict_pointing_at_another_sellers_order_is_not_adopted(
    client: OzonRocketClient, ozon: respx.MockRouter
) -> None:
    ozon.post("/v1/orders").mock(
        return_value=error_reply(409, "ORDER_ALREADY_EXISTS", order_id="RKT-OTHER")
    )
    ozon.get("/v1/orders/RKT-OTHER").respond(200, json=order_json("RKT-OTHER", "SHOP-99999"))

    with pytest.raises(CarrierConflict) as caught:
        await client.create_order(CREDS, ORDER)

    assert caught.value.existing_order_id == "RKT-OTHER"


async def test_create_validation_error_is_not_retried(
    client: OzonRocketClient, ozon: respx.MockRouter
) -> None:
    route = ozon.post("/v1/orders").mock(
        return_value=error_reply(400, "VALIDATION_ERROR", details={"recipient.phone": "bad"})
    )

    with pytest.raises(CarrierValidationError) as caught:
        await client.create_order(CREDS, ORDER)

    assert caught.value.details == {"recipient.phone": ["bad"]}
    assert route.call_count == 1


async def test_order_body_sends_money_with_two_decimals(
    client: OzonRocketClient, ozon: respx.MockRouter
) -> None:
    fake = FakeOzonOrders(lose_first_response=False)
    route = ozon.post("/v1/orders").mock(side_effect=fake.create)

    await client.create_order(CREDS, ORDER)

    raw = route.calls.last.request.content.decode()
    assert '"declared_value":4990.00' in raw
    assert '"price":500.00,"declared_price":500.00' in raw
    assert '"name":"Иван Петров"' in raw
    body = json.loads(raw, parse_float=Decimal)
    assert body["delivery_address"]["apartment"] == "12"
    assert "pickup_point_id" not in body


# --- cancel ---


async def test_cancel_is_retried_on_transient_failure(
    client: OzonRocketClient, ozon: respx.MockRouter
) -> None:
    ozon.post("/v1/orders/RKT-1/cancel").mock(
        side_effect=[
            httpx.ReadTimeout("slow"),
            httpx.Response(200, json={"order_id": "RKT-1", "status": "cancelled"}),
        ]
    )

    assert await client.cancel_order(CREDS, "RKT-1") == "cancelled"


async def test_cancel_after_first_mile_is_a_conflict(
    client: OzonRocketClient, ozon: respx.MockRouter
) -> None:
    ozon.post("/v1/orders/RKT-1/cancel").mock(
        return_value=error_reply(409, "ORDER_NOT_CANCELLABLE")
    )

    with pytest.raises(CarrierConflict) as caught:
        await client.cancel_order(CREDS, "RKT-1")

    assert caught.value.error_code == "ORDER_NOT_CANCELLABLE"


async def test_order_id_stays_one_path_segment(
    client: OzonRocketClient, ozon: respx.MockRouter
) -> None:
    route = ozon.get("/v1/orders/..%2Fauth%2Ftoken").respond(200, json=order_json())

    await client.get_order(CREDS, "../auth/token")

    assert route.called


# --- deadlines ---


async def hang(request: httpx.Request) -> httpx.Response:
    await asyncio.sleep(30)
    return httpx.Response(200)


async def test_deadline_exceeded_is_unavailable_quickly(
    http: httpx.AsyncClient, ozon: respx.MockRouter
) -> None:
    client = OzonRocketClient(http, call_deadline=0.05, max_attempts=3)
    ozon.get("/v1/orders/RKT-1").mock(side_effect=hang)

    started = time.monotonic()
    with pytest.raises(CarrierUnavailableError) as caught:
        await client.get_order(CREDS, "RKT-1")

    assert caught.value.error_code == "DEADLINE_EXCEEDED"
    assert time.monotonic() - started < 1.0


async def test_calculate_honours_its_tighter_deadline(
    http: httpx.AsyncClient, ozon: respx.MockRouter
) -> None:
    client = OzonRocketClient(http, call_deadline=15.0, max_attempts=3)
    ozon.post("/v1/calculate").mock(side_effect=hang)

    started = time.monotonic()
    with pytest.raises(CarrierUnavailableError):
        await client.calculate(CREDS, QUOTE, deadline=0.05)

    assert time.monotonic() - started < 1.0


async def test_a_caller_giving_up_does_not_break_the_shared_token_fetch(
    http: httpx.AsyncClient, ozon: respx.MockRouter
) -> None:
    client = OzonRocketClient(http, call_deadline=15.0, max_attempts=3)

    async def slow_token(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.1)
        return token_reply()

    ozon["token"].side_effect = slow_token
    ozon.post("/v1/calculate").respond(200, json=OPTIONS_BODY)

    impatient = client.calculate(CREDS, QUOTE, deadline=0.01)
    patient = client.calculate(CREDS, QUOTE)
    results = await asyncio.gather(impatient, patient, return_exceptions=True)

    assert isinstance(results[0], CarrierUnavailableError)
    assert isinstance(results[1], list)
    assert ozon["token"].call_count == 1


# --- parsing ---


async def test_prices_are_exact_decimals(client: OzonRocketClient, ozon: respx.MockRouter) -> None:
    raw = (
        '{"options": ['
        '{"option_id": "a", "delivery_type": "courier", "tariff": "A", "price": 349.9,'
        ' "currency": "RUB", "days_min": 1, "days_max": 2},'
        '{"option_id": "b", "delivery_type": "pickup_point", "tariff": "B", "price": 0.1,'
        ' "currency": "RUB", "days_min": 1, "days_max": 2},'
        '{"option_id": "c", "delivery_type": "next_day", "tariff": "C", "price": 0.2,'
        ' "currency": "RUB", "days_min": 1, "days_max": 1},'
        '{"option_id": "d", "delivery_type": "courier", "tariff": "D", "price": 12345678901234.57,'
        ' "currency": "RUB", "days_min": 3, "days_max": 5}'
        "]}"
    )
    ozon.post("/v1/calculate").respond(200, content=raw.encode())

    options = await client.calculate(CREDS, QUOTE)

    prices = [o.price for o in options]
    assert prices == [
        Decimal("349.90"),
        Decimal("0.10"),
        Decimal("0.20"),
        Decimal("12345678901234.57"),
    ]
    assert str(prices[0]) == "349.90"
    assert prices[1] + prices[2] == Decimal("0.30")


async def test_unknown_fields_and_unknown_option_kinds_are_ignored(
    client: OzonRocketClient, ozon: respx.MockRouter
) -> None:
    courier = {**OPTIONS_BODY["options"][0], "eco_badge": True, "promo": {"code": "X"}}
    drone = {**courier, "option_id": "opt_drone", "delivery_type": "drone"}
    ozon.post("/v1/calculate").respond(
        200, json={"options": [courier, drone], "currency_rates": {"USD": 90}}
    )

    options = await client.calculate(CREDS, QUOTE)

    assert [o.option_id for o in options] == ["opt_courier_std"]
    assert options[0].partial_acceptance is True


async def test_empty_options_mean_no_delivery_not_an_error(
    client: OzonRocketClient, ozon: respx.MockRouter
) -> None:
    ozon.post("/v1/calculate").respond(200, json={"options": []})

    assert await client.calculate(CREDS, QUOTE) == []


async def test_quote_body_follows_the_contract(
    client: OzonRocketClient, ozon: respx.MockRouter
) -> None:
    route = ozon.post("/v1/calculate").respond(200, json=OPTIONS_BODY)

    await client.calculate(CREDS, QUOTE)

    raw = route.calls.last.request.content.decode()
    assert '"declared_value":4990.00' in raw
    assert json.loads(raw) == {
        "from": {"warehouse_id": "WH-1"},
        "to": {
            "delivery_type": "to_address",
            "address": {"city": "Москва", "street": "Тверская", "house": "7"},
        },
        "packages": [{"weight": 1200, "length": 300, "width": 200, "height": 100}],
        "declared_value": 4990.0,
        "payment_method": "prepaid",
    }


async def test_order_state_is_parsed_timezone_aware(
    client: OzonRocketClient, ozon: respx.MockRouter
) -> None:
    body = {
        **order_json(),
        "status": "partial_delivered",
        "status_history": [
            {"status": "created", "at": "2026-12-01T10:00:00+03:00"},
            {"status": "in_transit", "at": "2026-12-02T08:30:00Z", "hub": "MSK-2"},
        ],
        "items": [
            {"sku": "A-100", "quantity": 2, "accepted_quantity": 1, "returned_quantity": 1},
            {"sku": "B-200", "quantity": 1},
        ],
        "cod_collected": 1990.5,
    }
    ozon.get("/v1/orders/RKT-4F2A9C").respond(200, json=body)

    state = await client.get_order(CREDS, "RKT-4F2A9C")

    assert state.status == "partial_delivered"
    assert state.updated_at == datetime(2026, 12, 1, 7, 15, tzinfo=UTC)
    assert state.updated_at is not None
    assert state.updated_at.utcoffset() == timedelta(0)
    assert [e.at for e in state.status_history] == [
        datetime(2026, 12, 1, 7, 0, tzinfo=UTC),
        datetime(2026, 12, 2, 8, 30, tzinfo=UTC),
    ]
    assert state.items[0].accepted_quantity == 1
    assert state.items[1].accepted_quantity is None
    assert state.cod_collected == Decimal("1990.50")


def point(point_id: str, kind: str = "pvz", **extra: Any) -> dict[str, Any]:
    return {
        "id": point_id,
        "type": kind,
        "name": f"Ozon {point_id}",
        "city": "Москва",
        "address": "Москва, Тверская ул., 7",
        "lat": 55.7601,
        "lon": 37.611,
        "working_hours": "Пн-Вс 10:00-21:00",
        "max_weight": 25000,
        "max_length": 1200,
        "max_width": 800,
        "max_height": 800,
        "cash_on_delivery": True,
        "card_payment": True,
        "partial_acceptance": True,
        "is_active": True,
        "updated_at": "2026-11-30T12:00:00+03:00",
        **extra,
    }


async def test_pickup_points_are_paged(client: OzonRocketClient, ozon: respx.MockRouter) -> None:
    pages = {
        None: {
            "points": [point("PVZ-1"), point("LCK-2", "locker", is_active=False)],
            "next_page_token": "eyJvZmZzZXQiOjJ9",
            "total": 3,
        },
        "eyJvZmZzZXQiOjJ9": {"points": [point("PVZ-3")], "next_page_token": None},
    }

    def pickup_points(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=pages[request.url.params.get("page_token")])

    route = ozon.get("/v1/pickup-points").mock(side_effect=pickup_points)

    page_one = await client.list_pickup_points(CREDS, city="Москва", limit=5000)
    page_two = await client.list_pickup_points(
        CREDS, city="Москва", page_token=page_one.next_page_token
    )

    assert [p.id for p in page_one.points] == ["PVZ-1", "LCK-2"]
    assert page_one.next_page_token == "eyJvZmZzZXQiOjJ9"
    assert [p.id for p in page_two.points] == ["PVZ-3"]
    assert page_two.next_page_token is None
    pvz, locker = page_one.points
    assert (pvz.lat, pvz.lon, pvz.max_weight) == (55.7601, 37.611, 25000)
    assert pvz.partial_acceptance is True
    assert locker.partial_acceptance is False  # lockers never accept partially
    assert locker.is_active is False
    assert pvz.updated_at == datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    first, second = (call.request.url.params for call in route.calls)
    assert (first["city"], first["limit"]) == ("Москва", "1000")  # clamped to the contract's max
    assert "page_token" not in first
    assert (second["city"], second["page_token"]) == ("Москва", "eyJvZmZzZXQiOjJ9")


async def test_a_malformed_pickup_point_does_not_hide_the_page(
    client: OzonRocketClient, ozon: respx.MockRouter
) -> None:
    broken = {"id": "PVZ-BROKEN", "type": "pvz"}
    ozon.get("/v1/pickup-points").respond(
        200, json={"points": [broken, point("PVZ-1")], "next_page_token": None}
    )

    page = await client.list_pickup_points(CREDS)

    assert [p.id for p in page.points] == ["PVZ-1"]


# --- logs ---


async def test_calls_are_logged_by_template_without_secrets(
    client: OzonRocketClient, ozon: respx.MockRouter
) -> None:
    ozon.get("/v1/orders/RKT-4F2A9C").mock(
        return_value=httpx.Response(200, json=order_json(), headers={"X-Request-Id": "ozr-77"})
    )

    with capture_logs() as logs:
        await client.get_order(CREDS, "RKT-4F2A9C")

    calls = [entry for entry in logs if entry["event"] == "ozon_call"]
    assert [c["endpoint"] for c in calls] == ["POST /v1/auth/token", "GET /v1/orders/{order_id}"]
    order_call = calls[1]
    assert order_call["status"] == 200
    assert order_call["attempt"] == 1
    assert order_call["ozon_request_id"] == "ozr-77"
    assert isinstance(order_call["duration_ms"], int)
    assert API_KEY not in repr(logs)
    assert TOKEN not in repr(logs)
