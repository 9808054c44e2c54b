"""An in-memory, stateful emulator of the Ozon Rocket partner API (see control.py for its panel)."""

from app.sandbox.ozon_rocket.app import create_ozon_rocket_sandbox
from app.sandbox.ozon_rocket.clock import SandboxClock
from app.sandbox.ozon_rocket.config import SandboxConfig
from app.sandbox.ozon_rocket.state import SandboxState

__all__ = ["SandboxClock", "SandboxConfig", "SandboxState", "create_ozon_rocket_sandbox"]
