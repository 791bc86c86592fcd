"""The `ember` command."""

from __future__ import annotations

import typer

from ember.cli import calls, compose, data, demo, follow_up, messages, steps, users
from ember.cli.analyze import analyze
from ember.cli.common import console, engine, user_errors
from ember.cli.triggers import register as register_triggers
from ember.settings import get_settings

app = typer.Typer(help="Ember: follow-up that keeps every lead warm.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
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
register_triggers(app, users.app, data.import_app)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or upgrade the database schema to the latest version."""
    with user_errors():
        eng = engine()
    console.print(f"Database is up to date: {eng.url.render_as_string(hide_password=True)}")


@app.command("serve")
def serve(
    host: str = typer.Option(None, "--host", help="Address to listen on (default from EMBER_HOST)."),
    port: int = typer.Option(None, "--port", help="Port (default from EMBER_PORT)."),
) -> None:
    """Serve the web app and the API."""
    import uvicorn

    from ember.app import create_app
    from ember.jobs.runner import serve_consumer

    settings = get_settings()
    if host:  # the address served decides, among other things, whether cookies are Secure
        settings = settings.model_copy(update={"host": host})
    engine()
    with serve_consumer(settings):  # background jobs in this process, unless Redis workers run them
        # Open live alert streams must not hold up Ctrl-C: browsers reconnect by themselves.
        uvicorn.run(create_app(settings), host=host or settings.host, port=port or settings.port,
                    log_level="info", timeout_graceful_shutdown=3)


app.command("demo")(demo.demo)
app.command("analyze")(analyze)
