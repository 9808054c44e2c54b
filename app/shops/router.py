"""/api/v1/shops: shops and the settings of their Bitrix delivery services."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Path, Response, status

from app.bitrix.port import BitrixError, BitrixUnavailable
from app.bitrix.setup import setup_shop_statuses
from app.deps import AdminDep, PrincipalDep, RuntimeDep, SessionDep
from app.errors import ERROR_RESPONSES, BitrixDown, BitrixRefused
from app.shops import schemas, service

router = APIRouter(prefix="/api/v1/shops", tags=["shops"], responses=ERROR_RESPONSES)

BitrixDeliveryId = Path(ge=1, le=2_147_483_647, description="The delivery service's ID in Bitrix")


@router.post("", status_code=status.HTTP_201_CREATED, summary="Register a shop (admin)")
async def create_shop(
    body: schemas.ShopCreate, _: AdminDep, session: SessionDep, runtime: RuntimeDep
) -> schemas.ShopCreated:
    """Creates a shop and returns its token **once**: put it into the Bitrix module's settings."""
    shop, token = await service.create_shop(
        session,
        body,
        runtime.secrets,
        allow_local=runtime.settings.allow_local_urls,
        allowed_hosts=runtime.settings.bitrix_allowed_hosts(),
        default_bucket=service.BucketLimits.from_settings(runtime.settings),
    )
    out = service.shop_out(shop, runtime.secrets)
    return schemas.ShopCreated(**out.model_dump(), token=token)


@router.get("", summary="List shops (admin sees all, a shop itself)")
async def list_shops(
    principal: PrincipalDep, session: SessionDep, runtime: RuntimeDep
) -> list[schemas.ShopOut]:
    return [
        service.shop_out(s, runtime.secrets) for s in await service.list_shops(session, principal)
    ]


@router.get("/{shop_id}", summary="Read a shop")
async def get_shop(
    shop_id: uuid.UUID, principal: PrincipalDep, session: SessionDep, runtime: RuntimeDep
) -> schemas.ShopOut:
    shop = await service.get_shop(session, principal, shop_id)
    return service.shop_out(shop, runtime.secrets)


@router.patch("/{shop_id}", summary="Change a shop (name, Bitrix URL, webhook secrets, module)")
async def update_shop(
    shop_id: uuid.UUID,
    body: schemas.ShopUpdate,
    principal: PrincipalDep,
    session: SessionDep,
    runtime: RuntimeDep,
) -> schemas.ShopOut:
    shop = await service.get_shop(session, principal, shop_id)
    shop = await service.update_shop(
        session,
        shop,
        body,
        runtime.secrets,
        allow_local=runtime.settings.allow_local_urls,
        allowed_hosts=runtime.settings.bitrix_allowed_hosts(),
    )
    await session.commit()  # before invalidating, so no reader re-caches the old secrets
    runtime.lookup.invalidate_shop(shop_id)
    return service.shop_out(shop, runtime.secrets)


@router.put(
    "/{shop_id}/delivery-services/{bitrix_delivery_id}",
    summary="Create or replace a delivery service's settings",
    responses={201: {"description": "Created"}, 200: {"description": "Replaced"}},
)
async def put_delivery_service(
    shop_id: uuid.UUID,
    body: schemas.DeliveryServicePut,
    principal: PrincipalDep,
    session: SessionDep,
    runtime: RuntimeDep,
    response: Response,
    bitrix_delivery_id: int = BitrixDeliveryId,
) -> schemas.DeliveryServiceOut:
    """What the Bitrix handler saves (`OZON_API_KEY`, `SELLER_ID`, `DEFAULT_WAREHOUSE_ID`,
    `PARTIAL_ACCEPT`) plus pricing and the default package. `OZON_API_KEY` is write-only."""
    shop = await service.get_shop(session, principal, shop_id)
    ds, created = await service.put_delivery_service(
        session, shop, bitrix_delivery_id, body, runtime.secrets
    )
    await session.commit()  # before invalidating, so no reader re-caches the old settings
    runtime.lookup.invalidate(shop_id, bitrix_delivery_id)
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return service.delivery_service_out(ds, runtime.secrets)


@router.get(
    "/{shop_id}/delivery-services/{bitrix_delivery_id}",
    summary="Read a delivery service's settings",
)
async def get_delivery_service(
    shop_id: uuid.UUID,
    principal: PrincipalDep,
    session: SessionDep,
    runtime: RuntimeDep,
    bitrix_delivery_id: int = BitrixDeliveryId,
) -> schemas.DeliveryServiceOut:
    ds = await service.find_delivery_service(session, principal, shop_id, bitrix_delivery_id)
    return service.delivery_service_out(ds, runtime.secrets)


@router.post(
    "/{shop_id}/bitrix/setup-statuses",
    summary="Create the delivery statuses the bridge pushes in the shop's Bitrix",
)
async def setup_bitrix_statuses(
    shop_id: uuid.UUID, principal: PrincipalDep, session: SessionDep, runtime: RuntimeDep
) -> schemas.StatusSetupOut:
    """Idempotent: creates the missing ones (with Russian and English names), reports the rest.
    Also `python -m app bitrix setup-statuses <shop_id>`."""
    shop = await service.get_shop(session, principal, shop_id)
    try:
        report = await setup_shop_statuses(session, shop, runtime.secrets, runtime.bitrix)
    except BitrixUnavailable as exc:
        raise BitrixDown(f"The shop's Bitrix did not answer: {exc.code}") from exc
    except BitrixError as exc:
        raise BitrixRefused(f"The shop's Bitrix refused: {exc.code} {exc.description}") from exc
    return schemas.StatusSetupOut(
        created=list(report.created),
        present=list(report.present),
        failed={k: f"{v.code}: {v.description}" for k, v in report.failed.items()},
    )
