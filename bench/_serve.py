"""Serve a bench app the way `python -m app serve` serves the bridge: `_serve.py APP HOST PORT`."""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script: bench/ is on sys.path, the checkout whose `app` is served is not.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fastapi import FastAPI

from app.cli import run_server


def ozon_sandbox() -> FastAPI:
    from app.sandbox.ozon_rocket.app import create_ozon_rocket_sandbox
    from app.sandbox.ozon_rocket.config import SandboxConfig

    # Off: Ozon's 20 req/s per key would turn the cold series into 429s, on both sides alike.
    return create_ozon_rocket_sandbox(SandboxConfig(rate_limit_per_second=None))


def baseline() -> FastAPI:
    from baseline_app import create_baseline_app

    return create_baseline_app()


APPS = {"ozon-sandbox": ozon_sandbox, "baseline": baseline}

if __name__ == "__main__":
    name, host, port = sys.argv[1:4]
    run_server(APPS[name](), host, int(port))
