"""Which Bitrix REST URLs a shop may register: no pivoting into our own network."""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

# Bitrix may live in a sub-folder: /shop/rest/1/key/ is as valid as /rest/1/key/.
_WEBHOOK_PATH = re.compile(r"^(/[^/]+)*/rest/\d+/[A-Za-z0-9_]+/?$")
_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def bitrix_url_problem(url: str, *, allow_local: bool) -> str | None:
    """Why this inbound-webhook URL is refused, or None when it is acceptable."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if not host:
        return "bitrix_rest_url must be an absolute URL like https://shop.ru/rest/1/abc123/"
    if not _WEBHOOK_PATH.match(parts.path or ""):
        return "bitrix_rest_url must be a Bitrix inbound webhook: https://<shop>/rest/<user>/<key>/"
    if parts.query or parts.fragment or parts.username or parts.password:
        return "bitrix_rest_url must not carry a query, fragment or credentials"
    local = host in _LOCAL_NAMES or _is_private_ip(host)
    if local and not allow_local:
        return "bitrix_rest_url points at a local or private address (ALLOW_LOCAL_URLS is off)"
    if parts.scheme != "https" and not (parts.scheme == "http" and local and allow_local):
        return "bitrix_rest_url must use https"
    return None


def _is_private_ip(host: str) -> bool:
    try:
        ip = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return (
        ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_unspecified
    )


async def resolved_url_problem(
    url: str,
    *,
    allow_local: bool,
    allowed_hosts: frozenset[str] = frozenset(),
    resolve: Resolver | None = None,
    lookup_seconds: float = 2.0,
) -> str | None:
    """The static checks, then where the host name really points: a public name that resolves
    to a private address is refused too (unless ALLOW_LOCAL_URLS). Hosts on the allow-list skip
    the lookup (the sandbox, tests)."""
    problem = bitrix_url_problem(url, allow_local=allow_local)
    if problem is not None:
        return problem
    host = (urlsplit(url).hostname or "").lower()
    if host in allowed_hosts or host in _LOCAL_NAMES or _is_ip_literal(host):
        return None
    lookup = resolve or _resolve
    try:
        async with asyncio.timeout(lookup_seconds):
            addresses = await lookup(host)
    except (OSError, TimeoutError):
        return f"bitrix_rest_url host {host!r} does not resolve; check the shop's address"
    if not addresses:
        return f"bitrix_rest_url host {host!r} does not resolve; check the shop's address"
    if not allow_local and any(_is_private_ip(address) for address in addresses):
        return f"bitrix_rest_url host {host!r} resolves to a local or private address"
    return None


Resolver = Callable[[str], Awaitable[list[str]]]


async def _resolve(host: str) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, 443, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True
