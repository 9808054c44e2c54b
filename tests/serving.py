"""Serving an ASGI app for real (uvicorn in a thread on a loopback port), for tests that need a
socket: a subprocess calling it, or a browser."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import uvicorn
from starlette.types import ASGIApp


@contextmanager
def serve_in_thread(app: ASGIApp, *, host: str = "127.0.0.1") -> Iterator[str]:
    """Yields the base URL once the app (and its lifespan) is up; stops it afterwards."""
    with serve_built_in_thread(lambda _: app, host=host) as base_url:
        yield base_url


@contextmanager
def serve_built_in_thread(
    build: Callable[[str], ASGIApp], *, host: str = "127.0.0.1"
) -> Iterator[str]:
    """The same for an app that must know its own address: `build(base_url)` makes it."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))  # the kernel picks a free port: no race with other tests
    base_url = f"http://{host}:{sock.getsockname()[1]}"
    config = uvicorn.Config(build(base_url), log_config=None, access_log=False, lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            sock.close()
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield base_url
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()
