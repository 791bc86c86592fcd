"""`ember serve` in a process of its own, as a user starts it, against the test database."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import Engine

from ember.settings import Settings
from tests.browser_support import free_port


@contextmanager
def ember_serve(engine: Engine, settings: Settings, workdir: Path, *args: str,
                extra_env: dict[str, str] | None = None) -> Iterator[str]:
    """Yield the base URL of a running `ember serve ARGS`; its log must hold no error at the end."""
    port = free_port()
    env = {**os.environ, "EMBER_DATABASE_URL": engine.url.render_as_string(hide_password=False),
           "EMBER_DATA_DIR": str(workdir), "EMBER_SECRET_KEY": settings.resolved_secret_key(),
           "EMBER_QUEUE_NAME": f"serve-{workdir.name}", **(extra_env or {})}
    log_path = workdir / "serve.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen([sys.executable, "-c", "from ember.cli.main import app; app()", "serve",
                                   "--port", str(port), *args], env=env, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(url, server, log_path)
            yield url
        finally:
            server.terminate()
            try:
                server.wait(15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(5)
    errors = [line for line in log_path.read_text().splitlines() if "Error" in line]
    assert not errors, "\n".join(errors[-20:])


def _wait_until_up(url: str, server: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline or server.poll() is not None:
            raise RuntimeError("ember serve did not start: " + log_path.read_text())
        time.sleep(0.2)
