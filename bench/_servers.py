"""Bench plumbing: servers as child processes on free ports, CPU pinning, a throwaway database."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def pinned(cpu: int | None, argv: Sequence[str]) -> list[str]:
    """argv run on one CPU (taskset), or as is when there is no CPU to spare."""
    if cpu is None or shutil.which("taskset") is None:
        return list(argv)
    return ["taskset", "-c", str(cpu), *argv]


def cpu_plan() -> tuple[int | None, int | None]:
    """(server CPU, load CPU): two different CPUs when there are two to use, else no pinning."""
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2 or shutil.which("taskset") is None:
        return None, None
    return cpus[0], cpus[1]


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log_tail(self, lines: int = 30) -> str:
        text = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])


def start_server(
    name: str,
    argv: Sequence[str],
    *,
    port: int,
    log_dir: Path,
    env: Mapping[str, str] | None = None,
    cpu: int | None = None,
    ready_path: str = "/healthz",
    timeout: float = 60.0,
) -> Server:
    """Start argv (which listens on `port`), its output to a file; return once ready_path is 200."""
    log_path = log_dir / f"{name}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603 (the bench's own commands)
            pinned(cpu, argv),
            cwd=ROOT,
            env={**os.environ, **(env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = Server(name, port, process, log_path)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}:\n{server.log_tail()}")
        try:
            with urllib.request.urlopen(server.url + ready_path, timeout=2) as answer:  # noqa: S310
                if answer.status == 200:
                    return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"{name} not ready within {timeout:g} s:\n{server.log_tail()}")


def serve_argv(app_name: str, port: int) -> list[str]:
    """A bench app (bench/_serve.py) served like the bridge."""
    return [sys.executable, str(BENCH / "_serve.py"), app_name, "127.0.0.1", str(port)]


def bridge_argv(port: int) -> list[str]:
    """The bridge exactly as production starts it."""
    return [sys.executable, "-m", "app", "serve", "--host", "127.0.0.1", "--port", str(port)]


async def _admin_execute(server_url: str, sql: str) -> None:
    url = make_url(server_url)
    conn = await asyncpg.connect(
        host=url.query.get("host") or url.host,
        port=url.port,
        user=url.username,
        password=url.password,
        database=url.database or "postgres",
    )
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@contextmanager
def fresh_database(server_url: str, name: str) -> Iterator[str]:
    """A new database `name` on the server of server_url, dropped afterwards; yields its URL."""
    asyncio.run(_admin_execute(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    asyncio.run(_admin_execute(server_url, f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_admin_execute(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def describe_database(url: str) -> str:
    """Where the database lives, without credentials."""
    parsed = make_url(url)
    socket_dir = parsed.query.get("host")
    if socket_dir:
        return "embedded PostgreSQL (unix socket)"
    return f"PostgreSQL at {parsed.host}:{parsed.port or 5432}"


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process so far (Linux /proc), None where unavailable."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # utime and stime are fields 14 and 15 of stat(5); [0] here is field 3.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
