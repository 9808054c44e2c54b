"""POST /api/v1/calculate: what the Bitrix handler's calculateConcrete() calls."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from app.calculate import service
from app.calculate.schemas import CalculateRequest, CalculateResponse
from app.deps import principal_of
from app.errors import ERROR_RESPONSES, PROBLEM_MEDIA_TYPE, Problem
from app.pickup_points.service import check_pickup_point
from app.runtime import Runtime
from app.schemas import inline_schema

router = APIRouter(prefix="/api/v1", tags=["calculate"])

# The route reads and validates its body itself: a checkout recalculating sends the same bytes
# again and again, and FastAPI's parameter machinery was a quarter of a cache hit's CPU.
_OPENAPI = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": inline_schema(CalculateRequest)}},
    },
}


@router.post(
    "/calculate",
    response_model=CalculateResponse,
    summary="Delivery options and the price for the checkout",
    openapi_extra=_OPENAPI,
    responses={
        **ERROR_RESPONSES,
        503: {
            "model": Problem,
            "content": {PROBLEM_MEDIA_TYPE: {}},
            "description": "Ozon did not answer within the deadline and no fallback price is set",
        },
    },
)
async def calculate(request: Request) -> Response:
    """Relays Ozon's options, applies the delivery service's strategy, markup, free-delivery and
    rounding rules, and returns `selected`, ready for `CalculationResult`. No delivery to the place
    → 200 with empty `options` and `selected: null`."""
    runtime: Runtime = request.app.state.runtime
    principal = await principal_of(request, runtime)
    parsed = runtime.calculate_bodies.parse(await request.body())
    body = parsed.body
    principal.require_shop(body.shop_id, "delivery service")
    config = await runtime.lookup.delivery_service(body.shop_id, body.bitrix_delivery_id)
    if body.delivery_type == "to_pickup_point" and body.pickup_point_id is not None:
        async with runtime.session_factory() as session:
            packages = body.packages or (config.default_package,)
            await check_pickup_point(session, body.pickup_point_id, packages)
    answer = await service.calculate(
        parsed,
        config,
        carrier=runtime.carrier,
        cache=runtime.quote_cache,
        deadline=runtime.settings.calculate_deadline,
    )
    if isinstance(answer, bytes):
        return Response(answer, media_type="application/json")
    return Response(answer.model_dump_json(), media_type="application/json")
