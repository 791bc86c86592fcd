"""`ember alerts` and `ember users notify`."""

from __future__ import annotations

import typer
from rich.table import Table

from ember.alerts import service
from ember.alerts.destinations import destination_policy
from ember.cli.common import AS_OPTION, JSON_OPTION, acting_user, console, print_json, transaction
from ember.errors import NotFound
from ember.settings import get_settings
from ember.users import repository as user_repository


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


def notify(
    email: str = typer.Argument(..., help="The user whose alert channels to change."),
    add: list[str] = typer.Option([], "--add", help="apprise URL to add (slack://..., msteams://..., mailto://...)."),
    remove: list[str] = typer.Option([], "--remove", help="URL to remove."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Where a user's alerts go besides the app; without options, list them."""
    with transaction() as session:
        user = user_repository.user_by_email(session, email)
        if user is None:
            raise NotFound(f"no user with email {email}; see `ember users list`")
        policy = destination_policy(get_settings())
        urls = service.set_notify_urls(session, user, policy=policy, add=add, remove=remove) if add or remove \
            else service.notify_urls(session, user)
    if as_json:
        print_json({"email": email, "urls": urls})
        return
    console.print("\n".join(urls) if urls else f"{email} gets alerts in the app only.", highlight=False,
                  markup=False)
