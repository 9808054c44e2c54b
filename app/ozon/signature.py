"""The `X-Ozon-Signature` webhook signature: Stripe-style `t=...,v1=...` over HMAC-SHA256."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from typing import Literal

SignatureFailure = Literal["missing", "malformed", "stale", "mismatch"]

DEFAULT_TOLERANCE_SECONDS = 300
_HEX_DIGITS = frozenset("0123456789abcdef")


class SignatureError(Exception):
    """The webhook must be rejected with 401; `reason` says why (for logs and metrics)."""

    def __init__(self, reason: SignatureFailure) -> None:
        super().__init__(f"webhook signature rejected: {reason}")
        self.reason: SignatureFailure = reason


def compute_v1(secret: str, timestamp: int, body: bytes) -> str:
    """Lowercase hex HMAC-SHA256 of `"{t}.{raw body}"` under the secret."""
    signed_payload = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), signed_payload, hashlib.sha256).hexdigest()


def signature_header(secrets: Sequence[str], timestamp: int, body: bytes) -> str:
    """The header value with one `v1` entry per secret, as sent during a secret rotation."""
    if not secrets:
        raise ValueError("at least one secret is needed to sign")
    entries = [f"v1={compute_v1(secret, timestamp, body)}" for secret in secrets]
    return ",".join([f"t={timestamp}", *entries])


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The full header value for one secret: `t=...,v1=...`."""
    return signature_header([secret], timestamp, body)


def parse_header(header: str) -> tuple[int, list[str]]:
    """Split a header into its timestamp and its `v1` signatures; unknown schemes are skipped."""
    timestamp: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        key, sep, value = part.strip().partition("=")
        if not sep:
            raise SignatureError("malformed")
        if key == "t":
            if timestamp is not None or not value.isascii() or not value.isdigit():
                raise SignatureError("malformed")
            timestamp = int(value)
        elif key == "v1":
            if len(value) != 64 or not set(value) <= _HEX_DIGITS:
                raise SignatureError("malformed")
            signatures.append(value)
        # Other schemes (a future v2, Stripe's v0) are ignored so that adding one breaks nobody.
    if timestamp is None or not signatures:
        raise SignatureError("malformed")
    return timestamp, signatures


def verify(
    header: str | None,
    body: bytes,
    secrets: Sequence[str],
    *,
    now: int,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
) -> None:
    """Accept the raw body if any `v1` entry matches any secret and `t` is within tolerance."""
    if header is None or not header.strip():
        raise SignatureError("missing")
    timestamp, received = parse_header(header)
    expected = [compute_v1(secret, timestamp, body) for secret in secrets if secret]
    # Every pair is compared in constant time; short-circuiting on a match leaks nothing useful.
    if not any(
        hmac.compare_digest(candidate, wanted) for wanted in expected for candidate in received
    ):
        raise SignatureError("mismatch")
    # Checked after the HMAC, as Stripe does, so "stale" is only said of genuine old deliveries.
    if abs(now - timestamp) > tolerance:
        raise SignatureError("stale")
