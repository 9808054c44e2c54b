"""The Ozon Rocket adapter: the carrier port over HTTP, with tokens, deadlines, retries and logs."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import quote

import httpx
import structlog
from httpx_aiohttp import AiohttpTransport
from pydantic import ValidationError

from app.config import Settings
from app.domain.carrier import (
    CarrierConflict,
    CarrierCredentials,
    CarrierUnavailableError,
    CreatedOrder,
    DeliveryOption,
    OrderRequest,
    OrderState,
    PickupPointPage,
    QuoteRequest,
)
from app.ozon import wire
from app.ozon.errors import (
    TRANSIENT_STATUSES,
    OzonTransientError,
    error_for,
    is_transient,
    read_error,
)
from app.ozon.tokens import AccessToken, TokenCache
from app.retry import Rng, Sleep, retry_call

log = structlog.get_logger(__name__)

R = TypeVar("R")
TimeLeft = Callable[[], float]
# Told of every HTTP call: (endpoint template, outcome, seconds) — for metrics.
CallObserver = Callable[[str, str, float], None]

MAX_PAGE_LIMIT = 1000


def build_http_client(
    settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    """The one pooled client per process for Ozon Rocket; the lifespan creates and closes it.

    httpx is the interface; aiohttp carries the bytes. httpcore's own transport wrote a request's
    headers and body as separate socket writes, each behind an anyio checkpoint: ~0.7 ms of CPU
    per call, most of what a cache miss added to a checkout (bench/RESULTS.md, "Cold"). Timeouts
    map onto aiohttp's (connect, read, pool) and its errors onto httpx's, so nothing above sees
    the difference. `transport` mounts the sandbox in-process (ASGI) for the demo and tests.
    """
    timeout = httpx.Timeout(
        connect=settings.ozon_connect_timeout,
        read=settings.ozon_read_timeout,
        write=settings.ozon_read_timeout,
        # Waiting for a free pooled connection is as bad as a slow connect.
        pool=settings.ozon_connect_timeout,
    )
    # Ozon allows 20 req/s per key; a few dozen sockets carry that for many shops at once.
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=32, keepalive_expiry=30.0)
    return _CookielessClient(
        base_url=settings.ozon_base_url,
        timeout=timeout,
        limits=limits,
        transport=transport or AiohttpTransport(limits=limits),
        headers={"Accept": "application/json", "User-Agent": "ozon-rocket-bridge"},
    )


class _NoCookies(httpx.Cookies):
    def extract_cookies(self, response: httpx.Response) -> None:
        """Kept nowhere."""


class _CookielessClient(httpx.AsyncClient):
    """An httpx client that never keeps a cookie.

    One client carries every shop's calls: a cookie Ozon set on one shop's call (a balancer's,
    a session's) would go out with the next shop's. The API authenticates by bearer token
    alone, so nothing is lost. (Reading each answer's cookies was also ~0.1 ms of CPU.)
    """

    @property
    def cookies(self) -> httpx.Cookies:
        return _NoCookies()

    @cookies.setter
    def cookies(self, cookies: object) -> None:
        raise TypeError("the Ozon client keeps no cookies")


class OzonRocketClient:
    """The carrier port over the Ozon Rocket partner API (shared/contracts/ozon-rocket-api.md)."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        call_deadline: float,
        max_attempts: int,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        rng: Rng = random.random,
        backoff_base: float = 0.2,
        backoff_cap: float = 2.0,
        observer: CallObserver | None = None,
    ) -> None:
        self._http = http
        self._observer = observer
        self._call_deadline = call_deadline
        self._max_attempts = max_attempts
        self._sleep = sleep
        self._clock = clock
        self._rng = rng
        self._backoff_base = backoff_base
        self._backoff_cap = backoff_cap
        self._tokens = TokenCache(self._fetch_token, clock=clock)

    # --- the carrier port ---

    async def calculate(
        self, creds: CarrierCredentials, request: QuoteRequest, *, deadline: float | None = None
    ) -> list[DeliveryOption]:
        seconds = self._call_deadline if deadline is None else min(deadline, self._call_deadline)
        async with self._deadline(seconds) as time_left:
            reply = await self._call(
                creds,
                "POST",
                "/v1/calculate",
                wire.CalculateWire.model_validate,
                time_left=time_left,
                body=wire.quote_body(request),
            )
        options, skipped = wire.parse_each(wire.OptionWire, reply.options)
        if skipped:
            log.warning("ozon_options_skipped", skipped=skipped, seller_id=creds.seller_id)
        return [option.to_domain() for option in options]

    async def create_order(self, creds: CarrierCredentials, request: OrderRequest) -> CreatedOrder:
        # Retrying a create is safe only because Ozon dedupes by seller_order_number and answers
        # a repeat with 409 ORDER_ALREADY_EXISTS, which is resolved to the existing order below.
        async with self._deadline(self._call_deadline) as time_left:
            try:
                created = await self._call(
                    creds,
                    "POST",
                    "/v1/orders",
                    wire.CreatedOrderWire.model_validate,
                    time_left=time_left,
                    body=wire.order_body(request),
                )
            except CarrierConflict as conflict:
                if conflict.error_code != "ORDER_ALREADY_EXISTS" or not conflict.existing_order_id:
                    raise
                return await self._recover_order(creds, request, conflict, time_left)
        return created.to_domain()

    async def get_order(self, creds: CarrierCredentials, order_id: str) -> OrderState:
        async with self._deadline(self._call_deadline) as time_left:
            order = await self._fetch_order(creds, order_id, time_left)
        return order.to_domain()

    async def cancel_order(self, creds: CarrierCredentials, order_id: str) -> str:
        # Cancelling twice answers 200, so a cancel is retried like a safe call.
        async with self._deadline(self._call_deadline) as time_left:
            reply = await self._call(
                creds,
                "POST",
                "/v1/orders/{order_id}/cancel",
                wire.CancelWire.model_validate,
                time_left=time_left,
                path_params={"order_id": order_id},
            )
        return reply.status

    async def list_pickup_points(
        self,
        creds: CarrierCredentials,
        *,
        city: str | None = None,
        page_token: str | None = None,
        limit: int = 500,
    ) -> PickupPointPage:
        params: dict[str, str | int] = {"limit": max(1, min(limit, MAX_PAGE_LIMIT))}
        if city is not None:
            params["city"] = city
        if page_token is not None:
            params["page_token"] = page_token
        async with self._deadline(self._call_deadline) as time_left:
            page = await self._call(
                creds,
                "GET",
                "/v1/pickup-points",
                wire.PickupPageWire.model_validate,
                time_left=time_left,
                params=params,
            )
        points, skipped = wire.parse_each(wire.PickupPointWire, page.points)
        if skipped:
            log.warning("ozon_pickup_points_skipped", skipped=skipped, seller_id=creds.seller_id)
        return PickupPointPage(
            points=tuple(p.to_domain() for p in points), next_page_token=page.next_page_token
        )

    # --- building blocks ---

    async def _recover_order(
        self,
        creds: CarrierCredentials,
        request: OrderRequest,
        conflict: CarrierConflict,
        time_left: TimeLeft,
    ) -> CreatedOrder:
        assert conflict.existing_order_id is not None
        order = await self._fetch_order(creds, conflict.existing_order_id, time_left)
        if order.seller_order_number != request.seller_order_number:
            # Never adopt somebody else's shipment as ours.
            raise conflict
        log.info(
            "ozon_order_recovered",
            order_id=order.order_id,
            seller_order_number=order.seller_order_number,
            ozon_request_id=conflict.request_id,
        )
        return CreatedOrder(
            order_id=order.order_id,
            seller_order_number=order.seller_order_number,
            status=order.status,
            tracking_number=order.tracking_number,
            created_at=order.created_at(),
            recovered=True,
        )

    async def _fetch_order(
        self, creds: CarrierCredentials, order_id: str, time_left: TimeLeft
    ) -> wire.OrderWire:
        return await self._call(
            creds,
            "GET",
            "/v1/orders/{order_id}",
            wire.OrderWire.model_validate,
            time_left=time_left,
            path_params={"order_id": order_id},
        )

    async def _fetch_token(self, creds: CarrierCredentials) -> AccessToken:
        # Its own deadline: the fetch is shared, so no single caller's deadline may end it.
        async with self._deadline(self._call_deadline) as time_left:
            reply = await self._call(
                None,
                "POST",
                "/v1/auth/token",
                wire.TokenWire.model_validate,
                time_left=time_left,
                body=wire.token_body(creds),
            )
        return AccessToken(reply.access_token.get_secret_value(), reply.expires_in)

    @asynccontextmanager
    async def _deadline(self, seconds: float) -> AsyncIterator[TimeLeft]:
        """The whole call, retries included, ends within `seconds` or as CarrierUnavailableError."""
        expires_at = self._clock() + seconds
        try:
            async with asyncio.timeout(seconds):
                yield lambda: expires_at - self._clock()
        except TimeoutError as exc:
            raise CarrierUnavailableError(
                f"Ozon Rocket did not answer within {seconds:g} s", error_code="DEADLINE_EXCEEDED"
            ) from exc

    async def _call(
        self,
        creds: CarrierCredentials | None,
        method: str,
        template: str,
        parse: Callable[[object], R],
        *,
        time_left: TimeLeft,
        path_params: dict[str, str] | None = None,
        body: wire.Json = None,
        params: dict[str, str | int] | None = None,
    ) -> R:
        """One logical call with retries on transient failures; `creds` None means no bearer."""
        request = _Request(
            method=method,
            template=template,
            path=_path(template, path_params or {}),
            content=None if body is None else wire.encode_json(body),
            params=params,
        )

        async def attempt(number: int) -> R:
            if creds is None:
                response = await self._send(request, token=None, attempt=number)
            else:
                response = await self._send_authorized(creds, request, attempt=number)
            return _read(response, parse)

        def on_retry(number: int, exc: BaseException, delay: float) -> None:
            log.warning(
                "ozon_retry",
                endpoint=request.endpoint,
                attempt=number,
                delay_s=round(delay, 3),
                error=str(exc),
            )

        return await retry_call(
            attempt,
            retryable=is_transient,
            max_attempts=self._max_attempts,
            base=self._backoff_base,
            cap=self._backoff_cap,
            sleep=self._sleep,
            rng=self._rng,
            time_left=time_left,
            on_retry=on_retry,
        )

    async def _send_authorized(
        self, creds: CarrierCredentials, request: _Request, *, attempt: int
    ) -> httpx.Response:
        token = await self._token(creds)
        response = await self._send(request, token=token, attempt=attempt)
        if not _token_expired(response):
            return response
        # The contract: a revoked token means one new token and one repeat of the call.
        self._tokens.invalidate(creds, token)
        token = await self._token(creds)
        response = await self._send(request, token=token, attempt=attempt)
        if _token_expired(response):
            raise CarrierUnavailableError(
                "Ozon Rocket rejected a freshly issued token",
                error_code="TOKEN_EXPIRED",
                status=401,
                request_id=response.headers.get("X-Request-Id"),
            )
        return response

    async def _token(self, creds: CarrierCredentials) -> str:
        try:
            return await self._tokens.get(creds)
        except OzonTransientError as exc:
            # The shared fetch already spent its retries; each caller retrying it again would
            # multiply the token requests by the number of attempts.
            raise CarrierUnavailableError(
                exc.message, error_code=exc.error_code, status=exc.status, request_id=exc.request_id
            ) from exc

    async def _send(self, request: _Request, *, token: str | None, attempt: int) -> httpx.Response:
        headers = {"Content-Type": "application/json"} if request.content is not None else {}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        started = self._clock()
        try:
            response = await self._http.request(
                request.method,
                request.path,
                content=request.content,
                params=request.params,
                headers=headers,
            )
        except httpx.RequestError as exc:
            self._observe(request, "unreachable", started)
            log.warning(
                "ozon_call",
                endpoint=request.endpoint,
                status=None,
                duration_ms=_ms_since(started, self._clock),
                attempt=attempt,
                error=type(exc).__name__,
            )
            raise OzonTransientError(f"Ozon Rocket unreachable: {type(exc).__name__}") from exc
        transient = response.status_code in TRANSIENT_STATUSES
        self._observe(request, _outcome(response.status_code, transient), started)
        (log.warning if transient else log.info)(
            "ozon_call",
            endpoint=request.endpoint,
            status=response.status_code,
            duration_ms=_ms_since(started, self._clock),
            attempt=attempt,
            ozon_request_id=response.headers.get("X-Request-Id"),
        )
        return response

    def _observe(self, request: _Request, outcome: str, started: float) -> None:
        if self._observer is not None:
            self._observer(request.endpoint, outcome, self._clock() - started)


def _outcome(status: int, transient: bool) -> str:
    if status < 400:
        return "success"
    return "transient" if transient else "rejected"


@dataclass(frozen=True, slots=True)
class _Request:
    """One prepared HTTP request; `endpoint` is the template form, safe for logs and metrics."""

    method: str
    template: str
    path: str
    content: bytes | None
    params: dict[str, str | int] | None

    @property
    def endpoint(self) -> str:
        return f"{self.method} {self.template}"


def _path(template: str, path_params: dict[str, str]) -> str:
    for name, value in path_params.items():
        if not value:
            raise ValueError(f"{name} must not be empty")
    # Quoted whole: an id with '/' or '..' must stay one path segment.
    return template.format(**{name: quote(value, safe="") for name, value in path_params.items()})


def _token_expired(response: httpx.Response) -> bool:
    return response.status_code == 401 and read_error(response).error_code == "TOKEN_EXPIRED"


def _read(response: httpx.Response, parse: Callable[[object], R]) -> R:
    if not response.is_success:
        raise error_for(response)
    try:
        return parse(wire.decode_json(response.content))
    except (ValueError, ValidationError) as exc:
        # A proxy's HTML page or a cut-off body: asking again may well get the real answer.
        raise OzonTransientError(
            f"Ozon Rocket sent an unreadable {response.status_code} answer",
            status=response.status_code,
            request_id=response.headers.get("X-Request-Id"),
        ) from exc


def _ms_since(started: float, clock: Callable[[], float]) -> int:
    return round((clock() - started) * 1000)
