"""`ember serve`: the web app and the API."""

from __future__ import annotations

import os
from typing import Any

import typer
import uvicorn

from ember.app import create_app
from ember.cli.common import engine
from ember.jobs.runner import serve_consumer
from ember.settings import get_settings


def serve(
    host: str = typer.Option(None, "--host", help="Address to listen on (default from EMBER_HOST)."),
    port: int = typer.Option(None, "--port", help="Port (default from EMBER_PORT)."),
    workers: int = typer.Option(1, "--workers", min=1, max=64,
                                help="Web processes; more than one serves more reps at once."),
    forwarded_allow_ips: str | None = typer.Option(
        None, "--forwarded-allow-ips",
        help="Addresses of the reverse proxy whose X-Forwarded-* headers are trusted (default 127.0.0.1)."),
) -> None:
    """Serve the web app and the API."""
    if host:  # the address served decides, among other things, whether cookies are Secure;
        os.environ["EMBER_HOST"] = host  # worker processes read their settings afresh
    settings = get_settings().model_copy(update={"host": host}) if host else get_settings()
    engine()  # migrations run once, before any web process starts
    options: dict[str, Any] = {
        "host": settings.server.host, "port": port or settings.server.port, "log_level": "info",
        "timeout_graceful_shutdown": 3,  # open live alert streams must not hold up Ctrl-C
        "proxy_headers": True, "forwarded_allow_ips": forwarded_allow_ips}
    with serve_consumer(settings):  # background jobs in this process, unless Redis workers run them
        if workers == 1:
            uvicorn.run(create_app(settings), **options)
        else:  # each process builds its own app; sessions, alerts and events live in the database
            uvicorn.run("ember.app:create_app", factory=True, workers=workers, **options)
