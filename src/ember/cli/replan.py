"""`ember replan`: plan the next touch of every open deal again."""

from __future__ import annotations

import time

import typer
from rich.progress import Progress

from ember.cadence.bulk import replan_all
from ember.cli.common import (
    JSON_OPTION,
    console,
    engine,
    err_console,
    print_json,
    transaction,
    user_errors,
)
from ember.settings import get_settings
from ember.team_settings.effective import team_cadence


def replan(
    workers: int = typer.Option(0, "--workers", help="Processes to use (default: all cores)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Re-plan the next touch of every contact, e.g. after changing the cadence settings.

    Each contact is planned with its owner's team settings, as set on the settings pages."""
    with user_errors():
        eng = engine()
        start = time.perf_counter()
        with transaction() as session:
            cadence = team_cadence(session, get_settings())
        with Progress(console=err_console, transient=True, disable=as_json) as bar:
            task = bar.add_task("re-planning", total=None)
            written = replan_all(eng, cadence, workers=workers or None, progress=lambda n: bar.advance(task, n))
        seconds = time.perf_counter() - start
    if as_json:
        print_json({"planned": written, "seconds": round(seconds, 2)})
    else:
        console.print(f"Re-planned: {written} next touches in {seconds:.1f} s.")
