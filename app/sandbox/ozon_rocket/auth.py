"""API-key-for-token exchange, bearer checks, revocation and the per-key rate limit."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
import secrets
from collections import Counter, deque
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.sandbox.ozon_rocket.clock import SandboxClock
from app.sandbox.ozon_rocket.config import SandboxConfig
from app.sandbox.ozon_rocket.errors import SandboxError


@dataclass(slots=True)
class Grant:
    """What a bearer token stands for."""

    api_key: str
    seller_id: str
    expires_at: datetime
    revoked: bool = False


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class TokenStore:
    """Issues JWT-shaped tokens and answers, for each bearer, who it is or which 401 applies."""

    def __init__(self, config: SandboxConfig, clock: SandboxClock) -> None:
        self._config = config
        self._clock = clock
        # Derived from the seed so that a token from before a reset still reads as "ours, expired".
        self._signing_key = hashlib.sha256(f"ozon-rocket-sandbox:{config.seed}".encode()).digest()
        self._grants: dict[str, Grant] = {}
        self._seller_of_key: dict[str, str] = {}
        self.issued: Counter[str] = Counter()  # per API key

    def issue(self, api_key: str, seller_id: str) -> tuple[str, int]:
        """A new token and its lifetime in seconds; 401 INVALID_API_KEY or 403 FORBIDDEN."""
        if api_key.startswith("invalid") or api_key in self._config.rejected_api_keys:
            raise SandboxError(401, "INVALID_API_KEY", "The API key is not valid")
        if self._config.bind_api_keys_to_sellers:
            owner = self._seller_of_key.setdefault(api_key, seller_id)
            if owner != seller_id:
                raise SandboxError(
                    403,
                    "FORBIDDEN",
                    "This API key belongs to another seller (the sandbox binds a key to the "
                    "first seller_id it is used with)",
                )
        now = self._clock.now()
        ttl = self._config.token_ttl_seconds
        header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
        claims = {
            "sub": seller_id,
            "iat": int(now.timestamp()),
            "exp": int(now.timestamp()) + ttl,
            "jti": secrets.token_hex(8),
        }
        payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
        signature = _b64(
            hmac.new(self._signing_key, f"{header}.{payload}".encode(), hashlib.sha256).digest()
        )
        token = f"{header}.{payload}.{signature}"
        self._grants[token] = Grant(api_key, seller_id, now + timedelta(seconds=ttl))
        self.issued[api_key] += 1
        return token, ttl

    def authenticate(self, authorization: str | None) -> Grant:
        """The grant behind an `Authorization: Bearer ...` header, or the right 401."""
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise SandboxError(
                401, "UNAUTHORIZED", "Authorization: Bearer <access_token> is required"
            )
        token = token.strip()
        grant = self._grants.get(token)
        if grant is None:
            if self._is_ours(token):
                raise SandboxError(401, "TOKEN_EXPIRED", "The access token has expired")
            raise SandboxError(401, "INVALID_TOKEN", "The access token is not valid")
        if grant.revoked or self._clock.now() >= grant.expires_at:
            raise SandboxError(401, "TOKEN_EXPIRED", "The access token has expired")
        return grant

    def revoke(self, api_key: str) -> int:
        """Revoke every live token of a key; the number revoked."""
        revoked = 0
        for grant in self._grants.values():
            if grant.api_key == api_key and not grant.revoked:
                grant.revoked = True
                revoked += 1
        return revoked

    def _is_ours(self, token: str) -> bool:
        header, _, rest = token.partition(".")
        payload, _, signature = rest.partition(".")
        expected = _b64(
            hmac.new(self._signing_key, f"{header}.{payload}".encode(), hashlib.sha256).digest()
        )
        return hmac.compare_digest(signature, expected)


class RateLimiter:
    """A sliding one-second window of requests per API key."""

    def __init__(self, per_second: int | None, clock: SandboxClock) -> None:
        self._per_second = per_second
        self._clock = clock
        self._windows: dict[str, deque[float]] = {}

    def check(self, api_key: str) -> None:
        """Count one request, or raise 429 RATE_LIMITED with Retry-After (whole seconds)."""
        if self._per_second is None:
            return
        now = self._clock.timestamp()
        window = self._windows.setdefault(api_key, deque())
        while window and window[0] <= now - 1.0:
            window.popleft()
        if len(window) >= self._per_second:
            retry_after = max(1, math.ceil(window[0] + 1.0 - now))
            raise SandboxError(
                429,
                "RATE_LIMITED",
                f"More than {self._per_second} requests per second for this API key",
                headers={"Retry-After": str(retry_after)},
            )
        window.append(now)
