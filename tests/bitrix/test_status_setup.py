"""Delivery status setup: the missing statuses appear with their names, and only once."""

from __future__ import annotations

import httpx

from app.bitrix.client import BitrixRestClient, build_bitrix_http_client
from app.bitrix.port import Command
from app.bitrix.status_setup import ensure_delivery_statuses
from app.config import Settings
from app.domain.statuses import DEFAULT_STATUS_DEFS, BitrixStatusDef
from app.sandbox.bitrix import (
    BitrixSandbox,
    BitrixSandboxConfig,
    FakeClock,
    PortalInfo,
    create_bitrix_sandbox,
)
from tests.bitrix.conftest import rest_url

OURS = ("OS", "OT", "OA", "OD", "OP", "OR")
WANTED = list(DEFAULT_STATUS_DEFS.values())


def _names(sandbox: BitrixSandbox, portal: PortalInfo, status_id: str) -> dict[str, str]:
    langs = sandbox.portal(portal.portal_id).status_langs
    return {lang.lid: lang.name for lang in langs if lang.status_id == status_id}


async def test_missing_statuses_are_created_with_russian_and_english_names(
    bitrix: BitrixRestClient, sandbox: BitrixSandbox, portal: PortalInfo
) -> None:
    report = await ensure_delivery_statuses(bitrix, rest_url(portal), WANTED)

    assert report.created == OURS
    assert report.present == ("DD",)
    assert report.failed == {}
    statuses = sandbox.portal(portal.portal_id).statuses
    assert {statuses[i].type for i in OURS} == {"D"}
    assert [statuses[i].sort for i in OURS] == [510, 520, 530, 540, 550, 560]
    assert _names(sandbox, portal, "OT") == {"ru": "В пути (Ozon Rocket)", "en": "In transit"}


async def test_a_second_run_creates_nothing(
    bitrix: BitrixRestClient, sandbox: BitrixSandbox, portal: PortalInfo
) -> None:
    await ensure_delivery_statuses(bitrix, rest_url(portal), WANTED)
    adds_before = len(sandbox.calls(portal.portal_id, method="sale.status.add"))

    report = await ensure_delivery_statuses(bitrix, rest_url(portal), WANTED)

    assert report.created == ()
    assert set(report.present) == {*OURS, "DD"}
    assert len(sandbox.calls(portal.portal_id, method="sale.status.add")) == adds_before
    assert sandbox.calls(portal.portal_id, method="sale.statuslang.add", ok_only=True)
    assert len(_names(sandbox, portal, "OS")) == 2


async def test_system_statuses_are_never_created(
    bitrix: BitrixRestClient, sandbox: BitrixSandbox, portal: PortalInfo
) -> None:
    wanted = [BitrixStatusDef("DF", "Отгружена", "Shipped"), DEFAULT_STATUS_DEFS["in_transit"]]

    report = await ensure_delivery_statuses(bitrix, rest_url(portal), wanted)

    assert (report.created, report.present) == (("OT",), ("DF",))
    added = [c.params for c in sandbox.calls(portal.portal_id, method="sale.status.add")]
    assert [a["fields"]["id"] for a in added if isinstance(a["fields"], dict)] == ["OT"]


async def test_an_id_held_by_an_order_status_is_reported_not_raised(
    bitrix: BitrixRestClient, sandbox: BitrixSandbox, portal: PortalInfo
) -> None:
    taken = Command("sale.status.add", {"fields": {"id": "OS", "type": "O", "sort": 900}})
    await bitrix.batch(rest_url(portal), {"taken": taken})

    report = await ensure_delivery_statuses(bitrix, rest_url(portal), WANTED)

    assert "OS" not in report.created
    assert report.failed["OS"].code == "201350000001"
    assert "OT" in report.created


async def test_a_shop_with_many_delivery_statuses_is_read_through_all_its_pages(
    clock: FakeClock,
) -> None:
    app = create_bitrix_sandbox(BitrixSandboxConfig(clock=clock, page_size=2))
    sandbox: BitrixSandbox = app.state.bitrix
    portal = sandbox.create_portal()
    transport = httpx.ASGITransport(app=app)
    async with build_bitrix_http_client(Settings(), transport=transport) as http:
        bitrix = BitrixRestClient(http)
        first = await ensure_delivery_statuses(bitrix, rest_url(portal), WANTED)
        second = await ensure_delivery_statuses(bitrix, rest_url(portal), WANTED)

    assert (first.created, second.created) == (OURS, ())
    # 3 system statuses on 2 pages, then 9 statuses on 5 pages.
    assert len(sandbox.calls(portal.portal_id, method="sale.status.list")) == 2 + 5
