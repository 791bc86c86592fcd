"""`ember messages`: the library of gatekeeper lines, voicemails, emails and social messages."""

from __future__ import annotations

import typer
from rich.table import Table

from ember.cli.common import AS_OPTION, JSON_OPTION, acting_user, console, library_reader, print_json, transaction
from ember.messages import service
from ember.messages.routes import variant_dict

messages_app = typer.Typer(help="List and edit the message variants Ember rotates through.", no_args_is_help=True)


@messages_app.command("list")
def list_variants(
    situation: str | None = typer.Option(None, "--situation", help="gatekeeper, voicemail, email or social."),
    as_json: bool = JSON_OPTION,
    as_user: str | None = AS_OPTION,
) -> None:
    """List the message variants: the shared library, or with --as the one that user's team rotates through."""
    with transaction() as session:
        rows = [variant_dict(r) for r in service.list_variants(session, library_reader(session, as_user))
                if situation in (None, r.situation)]
    if as_json:
        print_json(rows)
        return
    table = Table("key", "situation", "phase", "attempt", "pairs with", "text")
    for row in rows:
        table.add_row(row["key"], row["situation"], row["phase"] or "any", str(row["attempt"] or ""),
                      row["pairs_with"] or "", row["body"][:70] + ("…" if len(row["body"]) > 70 else ""))
    console.print(table)


@messages_app.command("edit")
def edit(
    key: str,
    body: str = typer.Option(..., "--body", help="The new text."),
    subject: str | None = typer.Option(None, "--subject"),
    as_user: str | None = AS_OPTION,
) -> None:
    """Change a variant's wording: an admin the shared one, a manager her team's copy."""
    with transaction() as session:
        actor = acting_user(session, as_user)
        current = service.get_variant(session, actor, key)
        service.save_variant(session, actor, key=key, situation=current.situation, phase=current.phase, body=body,
                             attempt=current.attempt, subject=subject or current.subject,
                             pairs_with=current.pairs_with_key, create=False)
    console.print(f"Saved {key}.")
