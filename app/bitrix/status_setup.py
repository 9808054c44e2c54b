"""Creating the shop's delivery statuses for Ozon statuses, once: a second run adds nothing."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Protocol

from app.bitrix.client import MAX_BATCH_COMMANDS, ListPage
from app.bitrix.port import BitrixClient, BitrixUnavailable, Command, CommandError
from app.domain.statuses import SYSTEM_DELIVERY_STATUSES, BitrixStatusDef

# Bitrix's own delivery statuses sort low; ours come after them, as in the contract's example.
FIRST_SORT: Final = 510
SORT_STEP: Final = 10
# One status costs three commands: the status and its Russian and English names.
_STATUSES_PER_BATCH: Final = MAX_BATCH_COMMANDS // 3


class ListingBitrixClient(BitrixClient, Protocol):
    """A BitrixClient that also reads list methods page by page (BitrixRestClient does)."""

    async def list_page(
        self, rest_url: str, method: str, params: Mapping[str, Any]
    ) -> ListPage: ...


@dataclass(frozen=True)
class SetupReport:
    """Ids created now and ids already there (Bitrix's system ones always are).

    `failed` holds what Bitrix refused, by status id: an id missing from `created` was not
    created (e.g. an order status already holds it: ids are unique across both types); an id
    in `created` too exists but one of its names was refused.
    """

    created: tuple[str, ...] = ()
    present: tuple[str, ...] = ()
    failed: Mapping[str, CommandError] = field(default_factory=dict)


async def ensure_delivery_statuses(
    client: ListingBitrixClient, rest_url: str, wanted: Sequence[BitrixStatusDef]
) -> SetupReport:
    """Create those of `wanted` the shop lacks, with their Russian and English names."""
    unique = list({status.id: status for status in wanted}.values())
    existing = await delivery_status_ids(client, rest_url)
    missing = [
        status
        for status in unique
        if status.id not in existing and status.id not in SYSTEM_DELIVERY_STATUSES
    ]
    missing_ids = {status.id for status in missing}
    sorts = {status.id: FIRST_SORT + SORT_STEP * n for n, status in enumerate(unique)}
    created: list[str] = []
    failed: dict[str, CommandError] = {}
    for start in range(0, len(missing), _STATUSES_PER_BATCH):
        chunk = missing[start : start + _STATUSES_PER_BATCH]
        chunk_created, chunk_failed = await _create(client, rest_url, chunk, sorts)
        created.extend(chunk_created)
        failed.update(chunk_failed)
    return SetupReport(
        created=tuple(created),
        present=tuple(status.id for status in unique if status.id not in missing_ids),
        failed=failed,
    )


async def delivery_status_ids(client: ListingBitrixClient, rest_url: str) -> set[str]:
    """Every delivery (type D) status id of the shop, following `next` page after page."""
    ids: set[str] = set()
    start = 0
    while True:
        params = {"filter": {"type": "D"}, "select": ["id"], "order": {"id": "asc"}, "start": start}
        page = await client.list_page(rest_url, "sale.status.list", params)
        rows = _status_ids(page.result)
        ids.update(rows)
        # A page that brings nothing, or a `next` that does not move on, would loop forever.
        if page.next is None or page.next <= start or not rows:
            return ids
        start = page.next


def _status_ids(result: object) -> list[str]:
    rows = result.get("statuses") if isinstance(result, Mapping) else None
    if not isinstance(rows, list):
        raise BitrixUnavailable("BAD_RESPONSE", "sale.status.list answered without `statuses`")
    return [str(row["id"]) for row in rows if isinstance(row, Mapping) and "id" in row]


async def _create(
    client: BitrixClient,
    rest_url: str,
    statuses: Sequence[BitrixStatusDef],
    sorts: Mapping[str, int],
) -> tuple[list[str], dict[str, CommandError]]:
    commands: dict[str, Command] = {}
    for n, status in enumerate(statuses):
        commands.update(_status_commands(n, status, sorts[status.id]))
    outcome = await client.batch(rest_url, commands, halt=False)
    created: list[str] = []
    failed: dict[str, CommandError] = {}
    for n, status in enumerate(statuses):
        if f"s{n}" in outcome.results:
            created.append(status.id)
        # Keys in command order: the status's own error first, its names' after.
        errors = [outcome.errors[key] for key in _keys(n) if key in outcome.errors]
        if errors:
            failed[status.id] = errors[0]
    return created, failed


def _keys(n: int) -> tuple[str, str, str]:
    # Positional keys: a status id is the shop's text and need not be a valid batch key.
    return f"s{n}", f"ru{n}", f"en{n}"


def _status_commands(n: int, status: BitrixStatusDef, sort: int) -> dict[str, Command]:
    status_key, ru_key, en_key = _keys(n)
    fields = {"id": status.id, "type": "D", "sort": sort, "notify": "N"}
    return {
        status_key: Command("sale.status.add", {"fields": fields}),
        ru_key: _name_command(status.id, "ru", status.name_ru),
        en_key: _name_command(status.id, "en", status.name_en),
    }


def _name_command(status_id: str, lid: str, name: str) -> Command:
    return Command(
        "sale.statusLang.add", {"fields": {"statusId": status_id, "lid": lid, "name": name}}
    )
