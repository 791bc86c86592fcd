"""`ember worker`: run the background jobs."""

from __future__ import annotations

import typer

from ember.cli.common import engine, err_console
from ember.jobs.queue import location
from ember.jobs.runner import run_worker
from ember.settings import get_settings


def worker(workers: int = typer.Option(2, "--workers", min=1, max=64, help="Worker threads in this process.")) -> None:
    """Run background jobs (events, alert deliveries, the sweep) until stopped with Ctrl-C."""
    settings = get_settings()
    engine()  # the schema must be current before any job runs
    where = "Redis" if settings.redis_url else location(settings)  # a Redis URL may hold a password
    err_console.print(f"Worker with {workers} threads on queue {settings.jobs.queue_name} at {where}",
                      highlight=False)
    run_worker(settings, workers)
