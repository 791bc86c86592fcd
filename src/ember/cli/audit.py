"""`ember audit`: who changed what and when (admins only)."""

from __future__ import annotations

import typer
from rich.table import Table

from ember.audit.service import TARGET_TYPES, entries
from ember.cli.common import AS_OPTION, JSON_OPTION, acting_user, console, print_json, transaction
from ember.errors import EmberError, Forbidden
from ember.validation import parse_datetime


def audit(
    since: str = typer.Option(None, "--since", help="Only changes from this day on (YYYY-MM-DD)."),
    actor: str = typer.Option(None, "--actor", help="Only changes by users whose email contains this."),
    kind: str = typer.Option(None, "--kind", help="Only this kind of record: " + ", ".join(TARGET_TYPES) + "."),
    limit: int = typer.Option(100, "--limit", min=1, max=10_000, help="At most this many, newest first."),
    as_user: str = AS_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """The audit trail, newest first: who changed users, roles, rules, templates, sources,
    settings and contacts, and who deleted what."""
    with transaction() as session:
        viewer = acting_user(session, as_user)
        if not viewer.is_admin:
            raise Forbidden("only admins can read the audit trail")
        if kind and kind not in TARGET_TYPES:
            raise EmberError(f"--kind {kind!r} is not a kind of record; use one of: {', '.join(TARGET_TYPES)}")
        try:
            since_at = parse_datetime(since, viewer.timezone) if since else None
        except ValueError as exc:
            raise EmberError(f"--since: {exc}") from None
        rows = entries(session, since=since_at, actor=actor, target_type=kind, limit=limit)
    if as_json:
        print_json([{"at": row.at.isoformat(), "actor": row.actor_label, "action": row.action,
                     "kind": row.target_type, "id": row.target_id, "label": row.target_label,
                     "changes": row.changes} for row in rows])
        return
    table = Table("at (UTC)", "who", "did", "what", "changes")
    for row in rows:
        table.add_row(row.at.strftime("%Y-%m-%d %H:%M"), row.actor_label, row.action,
                      f"{row.target_type} {row.target_label or '#' + row.target_id}", _changes(row.action, row.changes))
    console.print(table)


def _changes(action: str, changes: dict[str, list[object]]) -> str:
    if action == "created":
        return "; ".join(f"{field}: {after}" for field, (_, after) in changes.items())
    return "; ".join(f"{field}: {before} → {after}" for field, (before, after) in changes.items())
