"""The `ember` command: every command group and command, registered from the module of the same name."""

from __future__ import annotations

import typer

from ember.cli import (
    alerts,
    analyze,
    audit,
    call,
    compose,
    db,
    demo,
    export,
    imports,
    inbox,
    messages,
    nurture,
    replan,
    report,
    rules,
    send,
    serve,
    sources,
    steps,
    stories,
    templates,
    today,
    touch,
    users,
    worker,
)

app = typer.Typer(help="Ember: follow-up that keeps every lead warm.", no_args_is_help=True)
app.add_typer(users.app, name="users")
app.add_typer(db.db_app, name="db")
app.add_typer(imports.import_app, name="import")
app.command("export")(export.export)
app.add_typer(touch.touch_app, name="touch")
app.command("today")(today.today)
app.command("replan")(replan.replan)
app.add_typer(call.call_app, name="call")
app.add_typer(steps.steps_app, name="steps")
app.command("compose")(compose.compose)
app.command("send")(send.send)
app.add_typer(templates.templates_app, name="templates")
app.add_typer(stories.stories_app, name="stories")
app.add_typer(messages.messages_app, name="messages")
app.add_typer(inbox.inbox_app, name="inbox")
app.command("report")(report.report)
app.add_typer(sources.sources_app, name="sources")
app.add_typer(rules.rules_app, name="rules")
app.add_typer(nurture.nurture_app, name="nurture")
app.command("alerts")(alerts.alerts)
app.command("worker")(worker.worker)
app.command("serve")(serve.serve)
app.command("demo")(demo.demo)
app.command("analyze")(analyze.analyze)
app.command("audit")(audit.audit)
