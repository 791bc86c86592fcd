"""`ember today`: the follow-up queue of the day."""

from __future__ import annotations

import typer
from rich.table import Table

from ember.cli.common import (
    AS_OPTION,
    JSON_OPTION,
    acting_user,
    console,
    print_json,
    transaction,
)
from ember.today.service import queue_for


def today(
    rep: str | None = typer.Option(None, "--rep", help="A rep on your team (managers)."),
    as_user: str | None = AS_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Your Today queue: who to call or email now, which attempt, which message, and why."""
    with transaction() as session:
        actor = acting_user(session, as_user)
        items = [item.as_dict() for item in queue_for(session, actor, rep)]
    if as_json:
        print_json(items)
        return
    if not items:
        console.print("Nothing due today.")
        return
    table = Table("when (their time)", "contact", "deal", "attempt", "purpose", "message", "why")
    for item in items:
        table.add_row(item["local_time"], item["contact"], item["deal"] or "", item["label"] or item["kind"],
                      item["purpose"], item["variant"] or "", item["reason"])
    console.print(table)
