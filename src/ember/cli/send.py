"""`ember send`: send one follow-up email by SMTP, exactly once."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import typer

from ember.cli.common import AS_OPTION, JSON_OPTION, acting_on_contact, console, print_json, transaction
from ember.errors import InvalidInput, Problem
from ember.outbound import service as outbound_service
from ember.outbound.mail import SmtpConfig
from ember.settings import get_settings
from ember.validation import parse_datetime


def send(
    contact: str | None = typer.Option(None, "--contact", help="The contact's email."),
    subject: str | None = typer.Option(None, "--subject", help="Subject line."),
    body_file: Path | None = typer.Option(None, "--body-file", help="File with the email's text."),
    invite: str | None = typer.Option(None, "--invite", help="Meeting time (ISO 8601) for an .ics invite; "
                                                             "without an offset, in your own time zone."),
    kind: str = typer.Option("email", "--kind", help="email, or newsletter (the only kind nurture contacts get)."),
    key: str | None = typer.Option(None, "--key", help="Idempotency key; default from you, contact, subject, text."),
    retry: bool = typer.Option(False, "--retry", help="Instead: re-send every failed email that is due now."),
    as_user: str | None = AS_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Send one email by SMTP, exactly once: an identical second send is refused with the reason."""
    smtp = SmtpConfig.from_settings(get_settings())
    if retry:
        _retry(smtp, as_json)
        return
    with transaction() as session:
        _require(contact=contact, subject=subject, body_file=body_file)
        assert contact is not None and subject is not None and body_file is not None
        actor, target = acting_on_contact(session, as_user, contact)
        invite_at = _invite(invite, actor.timezone)
        result = outbound_service.send(session, actor, contact_id=target.id, subject=subject,
                                       body=body_file.read_text(encoding="utf-8"), smtp=smtp, kind=kind,
                                       invite_at=invite_at, idempotency_key=key,
                                       cadence=get_settings().cadence.planning())
    data = result.to_dict()
    if as_json:
        print_json({"message_id": data["message_id"], "status": data["status"], "reason": data["reason"]})
    else:
        colour = {"sent": "green", "queued": "yellow"}.get(result.status, "red")
        console.print(f"[{colour}]{result.status}[/]: {result.reason}", highlight=False)
    if result.status in {"refused", "failed"}:
        raise typer.Exit(1)


def _require(**options: object) -> None:
    missing = [name for name, value in options.items() if value is None]
    if missing:
        raise InvalidInput("missing options for ember send", [
            Problem(f"--{name.replace('_', '-')}", "not given", "give it, or use --retry alone") for name in missing])
    body_file = options["body_file"]
    if isinstance(body_file, Path) and not body_file.is_file():
        raise InvalidInput(f"{body_file} does not exist",
                           [Problem("--body-file", "no such file", "give the path of a text file")])


def _invite(value: str | None, zone: str) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_datetime(value, zone)
    except ValueError as exc:
        raise InvalidInput("--invite is not a date and time",
                           [Problem("--invite", str(exc), "write it like 2026-03-10T15:00 or with an offset")]) from exc


def _retry(smtp: SmtpConfig, as_json: bool) -> None:
    with transaction() as session:
        results = outbound_service.retry_due(session, smtp=smtp, cadence=get_settings().cadence.planning())
    if as_json:
        print_json([r.to_dict() for r in results])
        return
    console.print(f"{len(results)} due email(s) retried.")
    for result in results:
        console.print(f"  {result.status}: {result.reason}", highlight=False, markup=False)
