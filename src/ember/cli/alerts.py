"""`ember alerts`: the trigger alerts, newest first."""

from __future__ import annotations

import typer
from rich.table import Table

from ember.alerts import service
from ember.cli.common import AS_OPTION, JSON_OPTION, acting_user, console, print_json, transaction


def alerts(
    as_user: str | None = AS_OPTION,
    rep: str | None = typer.Option(None, "--rep", help="A rep you manage (default: everyone you may see)."),
    unseen: bool = typer.Option(False, "--unseen", help="Only alerts nobody has looked at."),
    limit: int = typer.Option(100, "--limit", min=1, max=10000),
    as_json: bool = JSON_OPTION,
) -> None:
    """Trigger alerts, newest first: who is warm again, which rule, which event, delivered or not."""
    with transaction() as session:
        rows = service.list_alerts(session, acting_user(session, as_user), rep_email=rep, unseen_only=unseen,
                                   limit=limit)
    if as_json:
        print_json([{key: row[key] for key in ("contact", "rule", "event", "at", "delivered", "id", "contact_email",
                                               "summary", "url", "status", "seen", "rep")} for row in rows])
        return
    table = Table("at", "contact", "what happened", "rule", "delivered")
    for row in rows:
        table.add_row(row["at"][:16].replace("T", " "), row["contact"], row["summary"], row["rule"] or "",
                      "yes" if row["delivered"] else row["status"])
    console.print(table)
