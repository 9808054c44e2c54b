"""The emulated Ozon Rocket partner API: the six paths of the contract under /v1."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import APIRouter, Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.responses import Response

from app.sandbox.ozon_rocket.auth import Grant
from app.sandbox.ozon_rocket.docs import ORDER_EXAMPLE, QUOTE_EXAMPLE, TOKEN_EXAMPLE, request_body
from app.sandbox.ozon_rocket.errors import validation_error
from app.sandbox.ozon_rocket.network import decode_page_token, encode_page_token
from app.sandbox.ozon_rocket.schemas import OrderIn, QuoteIn, TokenIn, parse_body
from app.sandbox.ozon_rocket.state import SandboxState
from app.sandbox.ozon_rocket.views import (
    created_order_view,
    option_view,
    order_view,
    point_view,
)
from app.sandbox.ozon_rocket.wire import json_response

DEFAULT_PAGE_SIZE = 500
MAX_PAGE_SIZE = 1000

router = APIRouter(prefix="/v1", tags=["Ozon Rocket API (emulated)"])


def sandbox_state(request: Request) -> SandboxState:
    return cast(SandboxState, request.app.state.sandbox)


StateDep = Annotated[SandboxState, Depends(sandbox_state)]


# Declared for the docs' "Authorize" button only; the header is checked by the state, so that
# a missing, foreign or malformed bearer gets Ozon's error body rather than FastAPI's.
_bearer_scheme = HTTPBearer(auto_error=False, description="access_token from /v1/auth/token")


def caller(
    request: Request,
    state: StateDep,
    _: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer_scheme)],
) -> Grant:
    return state.authorize(request.headers.get("Authorization"))


CallerDep = Annotated[Grant, Depends(caller)]


@router.post(
    "/auth/token",
    summary="Exchange an API key for a bearer token",
    openapi_extra=request_body(TokenIn, TOKEN_EXAMPLE),
)
async def issue_token(request: Request, state: StateDep) -> Response:
    body = parse_body(await request.body(), TokenIn)
    return json_response(state.issue_token(body.api_key, body.seller_id))


@router.post(
    "/calculate",
    summary="Delivery options and prices, cheapest first",
    openapi_extra=request_body(QuoteIn, QUOTE_EXAMPLE),
)
async def calculate(request: Request, state: StateDep, _: CallerDep) -> Response:
    body = parse_body(await request.body(), QuoteIn)
    return json_response({"options": [option_view(option) for option in state.calculate(body)]})


@router.post(
    "/orders",
    status_code=201,
    summary="Create a shipment",
    openapi_extra=request_body(OrderIn, ORDER_EXAMPLE),
)
async def create_order(request: Request, state: StateDep, grant: CallerDep) -> Response:
    body = parse_body(await request.body(), OrderIn)
    order = state.create_order(grant.seller_id, body)
    return json_response(created_order_view(order), 201)


@router.get("/orders/{order_id}", summary="A shipment's status, history and item outcomes")
async def get_order(order_id: str, state: StateDep, grant: CallerDep) -> Response:
    return json_response(order_view(state.get_order(grant.seller_id, order_id)))


@router.post("/orders/{order_id}/cancel", summary="Cancel a shipment still in created")
async def cancel_order(order_id: str, state: StateDep, grant: CallerDep) -> Response:
    order = state.cancel_order(grant.seller_id, order_id)
    return json_response({"order_id": order.order_id, "status": order.status})


@router.get("/pickup-points", summary="The pickup point and locker network, page by page")
async def list_pickup_points(
    state: StateDep,
    _: CallerDep,
    city: str | None = None,
    page_token: str | None = None,
    limit: str | None = None,
) -> Response:
    size = _page_size(limit)
    offset = 0
    if page_token:
        try:
            offset = decode_page_token(page_token)
        except ValueError:
            raise validation_error({"page_token": ["is not a valid page token"]}) from None
    points = state.network.listing(city)
    page = points[offset : offset + size]
    more = offset + size < len(points)
    return json_response(
        {
            "points": [point_view(point) for point in page],
            "next_page_token": encode_page_token(offset + size) if more else None,
        }
    )


def _page_size(limit: str | None) -> int:
    if limit is None:
        return DEFAULT_PAGE_SIZE
    try:
        size = int(limit)
    except ValueError:
        raise validation_error({"limit": ["must be an integer"]}) from None
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise validation_error({"limit": [f"must be between 1 and {MAX_PAGE_SIZE}"]})
    return size
