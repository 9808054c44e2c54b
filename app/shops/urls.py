"""Which Bitrix REST URLs a shop may register: no pivoting into our own network."""

from __future__ import annotations

import ipaddress
import re
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
