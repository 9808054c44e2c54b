"""A shop's Bitrix URL cannot point the bridge into its own network."""

from __future__ import annotations

import pytest

from app.shops.urls import resolved_url_problem

URL = "https://shop.example.ru/rest/1/k3y/"


def resolver(*addresses: str):  # type: ignore[no-untyped-def]
    async def resolve(host: str) -> list[str]:
        if not addresses:
            raise OSError("no such host")
        return list(addresses)

    return resolve


@pytest.mark.parametrize(
    ("addresses", "allow_local", "expected"),
    [
        (("93.184.216.34",), False, None),
        (("10.0.0.5",), False, "private"),
        (("127.0.0.1",), False, "private"),
        (("169.254.169.254",), False, "private"),
        (("93.184.216.34", "192.168.1.1"), False, "private"),
        (("10.0.0.5",), True, None),
        ((), False, "does not resolve"),
    ],
)
async def test_public_names_that_resolve_inside_are_refused(
    addresses: tuple[str, ...], allow_local: bool, expected: str | None
) -> None:
    problem = await resolved_url_problem(URL, allow_local=allow_local, resolve=resolver(*addresses))
    if expected is None:
        assert problem is None
    else:
        assert problem is not None
        assert expected in problem


async def test_allow_listed_hosts_skip_the_lookup() -> None:
    problem = await resolved_url_problem(
        URL,
        allow_local=False,
        allowed_hosts=frozenset({"shop.example.ru"}),
        resolve=resolver(),
    )
    assert problem is None


async def test_literal_private_address_and_http_are_refused_without_lookup() -> None:
    assert await resolved_url_problem(
        "https://10.1.2.3/rest/1/k/", allow_local=False, resolve=resolver()
    )
    assert await resolved_url_problem(
        "http://shop.example.ru/rest/1/k/", allow_local=False, resolve=resolver("93.184.216.34")
    )
