"""POST /api/v1/calculate: what the Bitrix handler's calculateConcrete() calls."""

from __future__ import annotations

from fastapi import APIRouter, Response

from app.calculate import service
from app.calculate.schemas import CalculateRequest, CalculateResponse
from app.deps import PrincipalDep, RuntimeDep
from app.errors import ERROR_RESPONSES, PROBLEM_MEDIA_TYPE, Problem
from app.pickup_points.service import check_pickup_point

router = APIRouter(prefix="/api/v1", tags=["calculate"])


@router.post(
    "/calculate",
    response_model=CalculateResponse,
    summary="Delivery options and the price for the checkout",
    responses={
        **ERROR_RESPONSES,
        503: {
            "model": Problem,
            "content": {PROBLEM_MEDIA_TYPE: {}},
            "description": "Ozon did not answer within the deadline and no fallback price is set",
        },
    },
)
async def calculate(
    body: CalculateRequest, principal: PrincipalDep, runtime: RuntimeDep
) -> CalculateResponse | Response:
    """Relays Ozon's options, applies the delivery service's strategy, markup, free-delivery and
    rounding rules, and returns `selected`, ready for `CalculationResult`. No delivery to the place
    → 200 with empty `options` and `selected: null`."""
    principal.require_shop(body.shop_id, "delivery service")
    config = await runtime.lookup.delivery_service(body.shop_id, body.bitrix_delivery_id)
    if body.delivery_type == "to_pickup_point" and body.pickup_point_id is not None:
        async with runtime.session_factory() as session:
            packages = body.packages or (config.default_package,)
            await check_pickup_point(session, body.pickup_point_id, packages)
    answer = await service.calculate(
        body,
        config,
        carrier=runtime.carrier,
        cache=runtime.quote_cache,
        deadline=runtime.settings.calculate_deadline,
    )
    if isinstance(answer, bytes):
        return Response(answer, media_type="application/json")
    return answer
