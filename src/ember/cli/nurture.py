"""`ember nurture`: the list of contacts who get the newsletter instead of calls."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.table import Table

from ember.cli.common import AS_OPTION, JSON_OPTION, acting_user, console, print_json, transaction
from ember.nurture import service
from ember.settings import get_settings

nurture_app = typer.Typer(help="The nurture list: contacts who said no get the newsletter, not calls.",
                          no_args_is_help=True)


@nurture_app.command("list")
def list_nurture(as_user: str | None = AS_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Contacts on the nurture list that you may see."""
    with transaction() as session:
        entries = [e.as_dict() for e in service.list_nurture(session, acting_user(session, as_user))]
    if as_json:
        print_json(entries)
        return
    table = Table("id", "contact", "email", "company", "why", "since")
    for e in entries:
        table.add_row(str(e["contact_id"]), e["name"], e["email"] or "", e["company"] or "", e["reason"] or "",
                      (e["since"] or "")[:10])
    console.print(table)
    console.print(f"{len(entries)} contacts on the nurture list.")


@nurture_app.command("export")
def export_nurture(file: Path | None = typer.Argument(None, help="Output CSV (default: standard output)."),
                   as_user: str | None = AS_OPTION) -> None:
    """CSV for a newsletter tool: email, first_name, last_name, company, title, owner, reason, since."""
    with transaction() as session:
        out = file.open("w", newline="", encoding="utf-8") if file else sys.stdout
        try:
            for chunk in service.export_lines(session, acting_user(session, as_user)):
                out.write(chunk)
        finally:
            if file:
                out.close()


@nurture_app.command("add")
def add(contact_id: int, note: str | None = typer.Option(None, "--note", help="Why, for the team."),
        as_user: str | None = AS_OPTION) -> None:
    """Put a contact on the nurture list by hand: planned calls and emails stop."""
    with transaction() as session:
        contact = service.add_to_nurture(session, acting_user(session, as_user), contact_id, note=note)
        name = contact.full_name
    console.print(f"{name} is on the nurture list.")


@nurture_app.command("remove")
def remove(contact_id: int, as_user: str | None = AS_OPTION) -> None:
    """Take a contact off the nurture list by hand."""
    with transaction() as session:
        contact = service.remove_from_nurture(session, acting_user(session, as_user), contact_id,
                                              settings=get_settings().cadence.planning())
        name = contact.full_name
    console.print(f"{name} is off the nurture list.")
