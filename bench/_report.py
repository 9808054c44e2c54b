"""What the webhook and drain benches share: the machine line, CPU counters, RESULTS.md sections."""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
LOCAL_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
_TICKS = os.sysconf("SC_CLK_TCK")

# The shipments columns the benches fill with COPY (the rest take their defaults).
SHIPMENT_COLUMNS = [
    "id",
    "shop_id",
    "delivery_service_id",
    "bitrix_delivery_id",
    "bitrix_order_id",
    "bitrix_shipment_id",
    "seller_order_number",
    "request_hash",
    "request",
    "ozon_order_id",
    "tracking_number",
    "status",
    "bitrix_status_id",
    "delivery_type",
    "payment_method",
    "allow_partial_acceptance",
    "declared_value",
    "paid_amount",
    "create_attempts",
    "last_ozon_update_at",
]


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def machine() -> str:
    return (
        f"{os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), {cpu_model()}, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}"
    )


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


def server_url(explicit: str | None) -> str:
    """The PostgreSQL server the bench makes its throwaway database on."""
    return explicit or os.environ.get("DATABASE_URL") or LOCAL_POSTGRES


def asyncpg_params(url: str) -> dict[str, object]:
    parsed = make_url(url)
    return {
        "host": parsed.query.get("host") or parsed.host,
        "port": parsed.port,
        "user": parsed.username,
        "password": parsed.password,
        "database": parsed.database,
    }


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time of a running process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


@dataclass(frozen=True)
class MachineCpu:
    """Busy and total jiffies of the whole machine, from /proc/stat."""

    busy: int
    total: int

    @classmethod
    def read(cls) -> MachineCpu:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = values[3] + values[4]  # idle + iowait
        return cls(busy=sum(values) - idle, total=sum(values))

    def busy_share_since(self, before: MachineCpu) -> float:
        """0..1: how busy all CPUs together were between the two readings."""
        total = self.total - before.total
        return (self.busy - before.busy) / total if total else 0.0


def write_section(start: str, end: str, section: str) -> None:
    """Replace one bench's marked section in RESULTS.md, leaving every other section alone."""
    text = RESULTS.read_text() if RESULTS.exists() else "# Bench results\n"
    if start in text and end in text:
        head, _, rest = text.partition(start)
        _, _, tail = rest.partition(end)
        text = head + section + tail
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    RESULTS.write_text(text)
