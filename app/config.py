"""Settings: the only place that reads the environment."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", env_ignore_empty=True)

    # Unset: an embedded PostgreSQL under ./var/ is started (see app.devdb).
    database_url: str | None = None
    # Tests: a database used as is; unset, the suite creates its own next to DATABASE_URL.
    test_database_url: str | None = None
    # Where the embedded PostgreSQL keeps its data when DATABASE_URL is unset.
    var_dir: str = "var"

    admin_token: SecretStr | None = None
    # Comma-separated Fernet keys: the first encrypts, all decrypt (rotation).
    secret_key: SecretStr | None = None

    ozon_base_url: str = "https://rocket.ozon.ru/api/logistics"
    ozon_connect_timeout: float = 2.0
    ozon_read_timeout: float = 10.0
    # Whole call, retries included, for calls with no tighter deadline of their own.
    ozon_call_deadline: float = 15.0
    ozon_max_attempts: int = Field(default=3, ge=1, le=10)

    calculate_deadline: float = 3.0
    calculate_cache_ttl: float = 300.0
    calculate_cache_size: int = 10_000

    bitrix_connect_timeout: float = 3.0
    bitrix_read_timeout: float = 10.0
    # The whole Bitrix request, and how long a shop pauses after each kind of refusal.
    bitrix_call_deadline: float = 15.0
    bitrix_query_limit_wait: float = 5.0
    bitrix_overload_wait: float = 30.0
    bitrix_operating_limit_wait: float = 60.0

    # Outbox to Bitrix: how much one claim takes, how often idle workers look, when to give up.
    outbox_claim_size: int = Field(default=200, ge=1, le=5000)
    outbox_poll_interval: float = 0.5
    # Attempts that Bitrix answered with an error for the message itself (a down shop only
    # waits: its messages die of age, never of attempts).
    outbox_max_attempts: int = Field(default=10, ge=1)
    outbox_max_age_hours: float = 72.0
    outbox_backoff_base: float = 2.0
    outbox_backoff_cap: float = 300.0
    # The longest a dispatcher sleeps for a shop's rate limit while it holds claimed messages.
    outbox_max_bucket_wait: float = 2.0

    # Reconciler: shipments not final and not heard from for this long get polled from Ozon.
    reconcile_interval: float = 60.0
    reconcile_stale_after: float = 1800.0
    reconcile_batch: int = 100

    log_level: str = "INFO"
    log_json: bool = True
    allow_local_urls: bool = False
    run_workers: bool = True
    # Mounts the Ozon Rocket (and Bitrix) emulators under /sandbox for the demo.
    sandbox: bool = False

    max_request_bytes: int = 1_000_000


@lru_cache
def get_settings() -> Settings:
    return Settings()
