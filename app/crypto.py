"""Secrets at rest: Fernet encryption with key rotation, token hashing, masking."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class SecretBox:
    """Encrypts with the first key, decrypts with any: add a new key first to rotate."""

    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise ValueError("SECRET_KEY must hold at least one Fernet key")
        self._fernet = MultiFernet([Fernet(k.strip().encode()) for k in keys])

    @classmethod
    def from_setting(cls, value: str) -> SecretBox:
        return cls([k for k in value.split(",") if k.strip()])

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, ciphertext: str) -> str:
        try:
            return self._fernet.decrypt(ciphertext.encode()).decode()
        except InvalidToken as exc:
            raise ValueError(
                "stored secret cannot be decrypted with the configured SECRET_KEY"
            ) from exc

    def rotate(self, ciphertext: str) -> str:
        """Re-encrypt under the first key (for a re-encryption sweep after adding a key)."""
        try:
            return self._fernet.rotate(ciphertext.encode()).decode()
        except InvalidToken as exc:
            raise ValueError("stored secret cannot be decrypted with any SECRET_KEY") from exc


def new_fernet_key() -> str:
    return Fernet.generate_key().decode()


def new_shop_token() -> str:
    return "ors_" + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    # Tokens carry 256 bits of entropy: a fast hash is enough, and lookups stay indexable.
    return hashlib.sha256(token.encode()).hexdigest()


def tokens_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def mask(secret: str | None, *, visible: int = 4) -> str | None:
    """'abcdef123456' -> '****3456'; short secrets are fully masked."""
    if secret is None:
        return None
    if len(secret) <= visible * 2:
        return "****"
    return "****" + secret[-visible:]


def mask_url(url: str | None) -> str | None:
    """Keep scheme and host of a Bitrix webhook URL; its path holds the secret."""
    if url is None:
        return None
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/****"
