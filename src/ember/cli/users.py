from __future__ import annotations

from typing import Any

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from ember.alerts import service as alert_service
from ember.alerts.destinations import destination_policy
from ember.cli.common import JSON_OPTION, console, print_json, transaction
from ember.errors import NotFound
from ember.models import User
from ember.settings import get_settings
from ember.users import repository
from ember.users.service import add_user, issue_token, set_password

app = typer.Typer(help="Add users, list them, give them API tokens and passwords.", no_args_is_help=True)


@app.command("add")
def add(
    email: str,
    name: str = typer.Option(..., "--name", help="Full name."),
    role: str = typer.Option("rep", "--role", help="rep, manager or admin."),
    team: str | None = typer.Option(None, "--team", help="Team name (created if new)."),
    timezone: str = typer.Option("UTC", "--timezone", help="IANA time zone, e.g. Europe/Berlin."),
    password: str | None = typer.Option(None, "--password", help="Password for the web login."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Add a user."""
    with transaction() as session:
        user = add_user(session, email=email, name=name, role=role, team=team, timezone=timezone,
                        password=password)
        data = {"id": user.id, "email": user.email, "name": user.name, "role": user.role, "team": team,
                "timezone": user.timezone}
    print_json(data) if as_json else console.print(f"Added {user.role} {user.email}.")


@app.command("list")
def list_users(as_json: bool = JSON_OPTION) -> None:
    """List users."""
    with transaction() as session:
        teams = repository.team_names(session)
        rows: list[dict[str, Any]] = [{"id": u.id, "email": u.email, "name": u.name, "role": u.role,
                 "team": teams.get(u.team_id) if u.team_id else None, "timezone": u.timezone}
                for u in repository.all_users(session)]
    if as_json:
        print_json(rows)
        return
    table = Table("email", "name", "role", "team", "time zone")
    for row in rows:
        table.add_row(row["email"], row["name"], row["role"], row["team"] or "", row["timezone"])
    console.print(table)


def _user(session: Session, email: str) -> User:
    user = repository.user_by_email(session, email)
    if user is None:
        raise NotFound(f"no user with email {email}; see `ember users list`")
    return user


@app.command("token")
def token(email: str, name: str = typer.Option("cli", "--name"), as_json: bool = JSON_OPTION) -> None:
    """Create an API token for a user. It is shown once; only its hash is stored."""
    with transaction() as session:
        secret = issue_token(session, _user(session, email), name)
    print_json({"email": email, "token": secret}) if as_json else print(secret)


@app.command("password")
def password(email: str, new_password: str = typer.Option(..., "--password", prompt=True, hide_input=True,
                                                          confirmation_prompt=True)) -> None:
    """Set a user's web login password."""
    with transaction() as session:
        set_password(session, _user(session, email), new_password)
    console.print(f"Password set for {email}.")


@app.command("notify")
def notify(
    email: str = typer.Argument(..., help="The user whose alert channels to change."),
    add: list[str] = typer.Option([], "--add", help="apprise URL to add (slack://..., msteams://..., mailto://...)."),
    remove: list[str] = typer.Option([], "--remove", help="URL to remove."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Where a user's alerts go besides the app; without options, list them."""
    with transaction() as session:
        user = repository.user_by_email(session, email)
        if user is None:
            raise NotFound(f"no user with email {email}; see `ember users list`")
        policy = destination_policy(get_settings())
        urls = alert_service.set_notify_urls(session, user, policy=policy, add=add, remove=remove) if add or remove \
            else alert_service.notify_urls(session, user)
    if as_json:
        print_json({"email": email, "urls": urls})
        return
    console.print("\n".join(urls) if urls else f"{email} gets alerts in the app only.", highlight=False,
                  markup=False)
