"""Hooks the trigger-event commands into the `ember` command (kept here so main.py stays short)."""

from __future__ import annotations

import typer

from ember.cli import alerts, events, nurture, sources


def register(app: typer.Typer, users_app: typer.Typer, import_app: typer.Typer) -> None:
    app.add_typer(sources.sources_app, name="sources")
    app.add_typer(events.rules_app, name="rules")
    app.add_typer(nurture.nurture_app, name="nurture")
    app.command("alerts")(alerts.alerts)
    app.command("worker")(events.worker)
    users_app.command("notify")(alerts.notify)
    import_app.command("events")(events.import_events)
