"""`ember serve`: the web app and the API."""

from __future__ import annotations

import typer
import uvicorn

from ember.app import create_app
from ember.cli.common import engine
from ember.jobs.runner import serve_consumer
from ember.settings import get_settings


def serve(
    host: str = typer.Option(None, "--host", help="Address to listen on (default from EMBER_HOST)."),
    port: int = typer.Option(None, "--port", help="Port (default from EMBER_PORT)."),
) -> None:
    """Serve the web app and the API."""
    settings = get_settings()
    if host:  # the address served decides, among other things, whether cookies are Secure
        settings = settings.model_copy(update={"host": host})
    engine()
    with serve_consumer(settings):  # background jobs in this process, unless Redis workers run them
        # Open live alert streams must not hold up Ctrl-C: browsers reconnect by themselves.
        uvicorn.run(create_app(settings), host=host or settings.server.host, port=port or settings.server.port,
                    log_level="info", timeout_graceful_shutdown=3)
