"""Settings: the only place that reads the environment."""

from __future__ import annotations

import uuid
from decimal import Decimal
from functools import lru_cache

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

# A shop's client-side leaky bucket for its Bitrix REST: the bounds a shop's own values (and
# these defaults) must keep to. Bitrix itself allows 50 of burst draining 2/s (Enterprise 250
# and 5/s; an on-premise shop sets its own), so the defaults stay just under the common limit.
BITRIX_RATE_MAX = Decimal(50)
BITRIX_BURST_MAX = 1000


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", env_ignore_empty=True)

    # Unset: an embedded PostgreSQL under ./var/ is started (see app.devdb).
    database_url: str | None = None
    # Connections per process: the pool keeps this many (at most this many requests use the
    # database at once, the others queue) and opens as many again for lookups and workers.
    database_pool_size: int = Field(default=20, ge=2, le=200)
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
    # Each new shop's client-side leaky bucket, unless the shop is created with its own.
    bitrix_rate_per_second: Decimal = Field(
        default=Decimal("1.9"), gt=0, le=BITRIX_RATE_MAX, decimal_places=2
    )
    bitrix_burst: int = Field(default=45, ge=1, le=BITRIX_BURST_MAX)

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
    # Batch requests open at once to one shop (paced by its rate limit; a slow shop overlaps).
    outbox_max_in_flight: int = Field(default=4, ge=1, le=16)
    # Shops delivered at once by one dispatcher, each in its own claim transaction: a shop that
    # hangs (up to BITRIX_CALL_DEADLINE) holds back only its own messages.
    outbox_shop_concurrency: int = Field(default=8, ge=1, le=64)

    # Reconciler: shipments not final and not heard from for this long get polled from Ozon.
    reconcile_interval: float = 60.0
    reconcile_stale_after: float = 1800.0
    reconcile_batch: int = 100
    # Shipments left pending this long after their last create attempt, when that attempt's
    # outcome is unknown (an answer lost, a crash before commit), get sent to Ozon again.
    reconcile_pending_after: float = Field(default=600.0, gt=0)

    # Pickup-point sync: how often (seconds), and how soon again after a failed scheduled run.
    pickup_sync_interval: float = Field(default=86400.0, gt=0)
    pickup_sync_retry: float = Field(default=900.0, gt=0)
    # Whose Ozon credentials pull the (network-wide) list; unset: the first delivery service.
    pickup_sync_shop_id: uuid.UUID | None = None
    pickup_sync_page_size: int = Field(default=1000, ge=1, le=1000)
    # A page that still fails after the client's own retries is asked for again this often.
    pickup_sync_page_attempts: int = Field(default=3, ge=1, le=10)
    # A sync that would deactivate more than this share of the active points is refused
    # (a truncated listing must not empty the checkout); `force` overrides.
    pickup_sync_max_deactivate_share: float = Field(default=0.5, ge=0, le=1)

    # The checkout widget: map tiles ({s}, {z}, {x}, {y} as in Leaflet), the origin its
    # postMessage targets ("*" when the checkout's origin is not known), where npm put Leaflet.
    widget_tile_url: str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    widget_tile_attribution: str = "© OpenStreetMap contributors"
    widget_parent_origin: str = "*"
    widget_vendor_dir: str = "var/widget/node_modules"

    # On SIGTERM, how long work in flight may finish before it is cancelled (and rolled back).
    shutdown_grace: float = Field(default=10.0, ge=0)

    log_level: str = "INFO"
    log_json: bool = True
    allow_local_urls: bool = False
    # Comma-separated host names a shop's Bitrix URL may use without the DNS check (sandboxes).
    bitrix_url_allowed_hosts: str = ""
    run_workers: bool = True
    # Mounts the Ozon Rocket (and Bitrix) emulators under /sandbox for the demo.
    sandbox: bool = False

    max_request_bytes: int = 1_000_000

    def bitrix_allowed_hosts(self) -> frozenset[str]:
        return frozenset(
            h.strip().lower() for h in self.bitrix_url_allowed_hosts.split(",") if h.strip()
        )


@lru_cache
def get_settings() -> Settings:
    return Settings()
