"""What every command shares: the database, the acting user, errors and JSON output."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import typer
from rich.console import Console
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from ember.audit.service import act_as
from ember.contacts.service import get_contact_by_email
from ember.db import get_engine, unit_of_work
from ember.errors import EmberError, InvalidInput, Problem
from ember.migrate import upgrade
from ember.models import Contact
from ember.settings import get_settings
from ember.users.access import Actor
from ember.users.service import actor_for_email, first_admin
from ember.validation import parse_datetime

console = Console()
err_console = Console(stderr=True, soft_wrap=True)

AS_OPTION = typer.Option(None, "--as", envvar="EMBER_USER", help="Act as this user (email).")
JSON_OPTION = typer.Option(False, "--json", help="Print JSON for scripts.")

_ready: set[str] = set()


def engine() -> Engine:
    """The configured database, migrated to the latest schema on first use."""
    url = get_settings().resolved_database_url
    eng = get_engine(url)
    if url not in _ready:
        upgrade(eng)
        _ready.add(url)
    return eng


@contextmanager
def transaction() -> Iterator[Session]:
    with user_errors(), unit_of_work(engine()) as session:
        yield session


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn errors meant for users into a message on stderr and exit code 1."""
    try:
        yield
    except EmberError as exc:
        err_console.print(f"[bold red]error:[/] {exc.message}", highlight=False)
        for problem in exc.problems[:200]:
            err_console.print(f"  {problem}", highlight=False, markup=False)
        if len(exc.problems) > 200:
            err_console.print(f"  ... and {len(exc.problems) - 200} more")
        raise typer.Exit(1) from None


def acting_user(session: Session, email: str | None, fallback: str | None = None) -> Actor:
    """The user named by --as; without it, the local operator acts as the first admin,
    or as ``fallback`` (e.g. the --owner of an import) when there is no admin."""
    actor = _named_user(session, email, fallback)
    act_as(session, actor)  # the audit trail credits this user with what the command changes
    return actor


def library_reader(session: Session, email: str | None) -> Actor | None:
    """Whose library a read-only command shows: the user named by --as, else the first admin's (the
    shared one); before any admin exists, nobody's (the shared one too)."""
    if email:
        return actor_for_email(session, email)
    admin = first_admin(session)
    return Actor.of(admin) if admin is not None else None


def _named_user(session: Session, email: str | None, fallback: str | None) -> Actor:
    if email:
        return actor_for_email(session, email)
    admin = first_admin(session)
    if admin is not None:
        return Actor.of(admin)
    if fallback:
        return actor_for_email(session, fallback)
    raise EmberError("name a user with --as EMAIL (or EMBER_USER); no admin exists to act as")


def acting_on_contact(session: Session, as_user: str | None, email: str) -> tuple[Actor, Contact]:
    """The acting user and the contact they named by email (404 if they may not see it)."""
    actor = acting_user(session, as_user)
    return actor, get_contact_by_email(session, actor, email)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")


def parse_when(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_datetime(value)
    except ValueError as exc:
        raise InvalidInput(f"{option} is not a date", [Problem(option, *str(exc).split("; ", 1))]) from exc
