"""The `ember` command."""

from __future__ import annotations

import os
from typing import Any

import typer

from ember.cli import calls, compose, data, demo, follow_up, inbox, messages, report, steps, users
from ember.cli.analyze import analyze
from ember.cli.audit import audit
from ember.cli.common import engine
from ember.cli.db import db_app
from ember.cli.triggers import register as register_triggers
from ember.settings import get_settings

app = typer.Typer(help="Ember: follow-up that keeps every lead warm.", no_args_is_help=True)
app.add_typer(users.app, name="users")
app.add_typer(db_app, name="db")
app.add_typer(data.import_app, name="import")
app.command("export")(data.export)
app.add_typer(follow_up.touch_app, name="touch")
app.command("today")(follow_up.today)
app.command("replan")(follow_up.replan)
app.add_typer(calls.call_app, name="call")
app.add_typer(steps.steps_app, name="steps")
app.command("compose")(compose.compose)
app.command("send")(compose.send)
app.add_typer(compose.templates_app, name="templates")
app.add_typer(compose.stories_app, name="stories")
app.add_typer(messages.messages_app, name="messages")
app.add_typer(inbox.inbox_app, name="inbox")
app.command("report")(report.report)
register_triggers(app, users.app, data.import_app)


@app.command("serve")
def serve(
    host: str = typer.Option(None, "--host", help="Address to listen on (default from EMBER_HOST)."),
    port: int = typer.Option(None, "--port", help="Port (default from EMBER_PORT)."),
    workers: int = typer.Option(1, "--workers", min=1, max=64,
                                help="Web processes; more than one serves more reps at once."),
    forwarded_allow_ips: str = typer.Option(
        None, "--forwarded-allow-ips",
        help="Addresses of the reverse proxy whose X-Forwarded-* headers are trusted (default 127.0.0.1)."),
) -> None:
    """Serve the web app and the API."""
    import uvicorn

    from ember.app import create_app
    from ember.jobs.runner import serve_consumer

    if host:  # the address served decides, among other things, whether cookies are Secure;
        os.environ["EMBER_HOST"] = host  # worker processes read their settings afresh
    settings = get_settings().model_copy(update={"host": host}) if host else get_settings()
    engine()  # migrations run once, before any web process starts
    options: dict[str, Any] = {
        "host": settings.host, "port": port or settings.port, "log_level": "info",
        "timeout_graceful_shutdown": 3,  # open live alert streams must not hold up Ctrl-C
        "proxy_headers": True, "forwarded_allow_ips": forwarded_allow_ips}
    with serve_consumer(settings):  # background jobs in this process, unless Redis workers run them
        if workers == 1:
            uvicorn.run(create_app(settings), **options)
        else:  # each process builds its own app; sessions, alerts and events live in the database
            uvicorn.run("ember.app:create_app", factory=True, workers=workers, **options)


app.command("demo")(demo.demo)
app.command("analyze")(analyze)
app.command("audit")(audit)
