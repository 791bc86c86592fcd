"""`ember compose`, `ember send` and `ember templates`: follow-up writing and sending from a shell."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import typer

from ember.cli.common import AS_OPTION, JSON_OPTION, acting_on_contact, acting_user, console, print_json, transaction
from ember.compose import service as compose_service
from ember.compose import stories
from ember.compose.rules import KINDS, TEMPLATE_NAMES
from ember.errors import InvalidInput, Problem
from ember.outbound import service as outbound_service
from ember.outbound.mail import SmtpConfig
from ember.settings import get_settings
from ember.validation import parse_datetime

templates_app = typer.Typer(help="Follow-up templates: list, show and edit their wording.", no_args_is_help=True)


def compose(
    kind: str = typer.Argument(..., help=f"What to write: {', '.join(KINDS)}."),
    contact: str = typer.Option(..., "--contact", help="The contact's email."),
    situation: str | None = typer.Option(None, "--situation",
                                         help="For emails: post-meeting, nudge, referral or trigger."),
    as_user: str | None = AS_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Write a follow-up from the last analysed call (or your notes); placeholders mark missing facts."""
    with transaction() as session:
        actor, target = acting_on_contact(session, as_user, contact)
        composed = compose_service.compose(session, actor, kind=kind, contact_id=target.id, situation=situation,
                                           nudge_after_days=get_settings().cadence.nudge_after_days)
        data = composed.to_dict()
    if as_json:
        print_json({key: data[key] for key in ("subject", "text", "facts", "placeholders", "email") if key in data})
        return
    if "subject" in data:
        console.print(f"[bold]Subject:[/] {data['subject']}\n", highlight=False)
    console.print(data["text"], highlight=False, markup=False)
    if "email" in data:
        console.print(f"[bold]Email, subject:[/] {data['email']['subject']}\n", highlight=False)
        console.print(data["email"]["text"], highlight=False, markup=False)
    if data["placeholders"]:
        console.print(f"[yellow]Fill in before sending:[/] {', '.join(data['placeholders'])}", highlight=False)
    console.print(f"[dim]{len(data['facts'])} fact(s) from the call used.[/]")


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
                                       invite_at=invite_at, idempotency_key=key)
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
        results = outbound_service.retry_due(session, smtp=smtp)
    if as_json:
        print_json([r.to_dict() for r in results])
        return
    console.print(f"{len(results)} due email(s) retried.")
    for result in results:
        console.print(f"  {result.status}: {result.reason}", highlight=False, markup=False)


@templates_app.command("list")
def list_templates(as_json: bool = JSON_OPTION) -> None:
    """Every template, and whether your team edited it."""
    with transaction() as session:
        rows = compose_service.list_templates(session)
    if as_json:
        print_json(rows)
        return
    for row in rows:
        console.print(f"{row['name']:<20} {'edited' if row['edited'] else 'default'}", highlight=False)


@templates_app.command("show")
def show(name: str = typer.Argument(..., help=f"One of: {', '.join(TEMPLATE_NAMES)}."),
         default: bool = typer.Option(False, "--default", help="Show the shipped wording, not the team's.")) -> None:
    """Print a template's wording (Jinja2); edit a copy and save it with `ember templates edit`."""
    with transaction() as session:
        template = compose_service.get_template(session, name)
    typer.echo(template["default"] if default else template["body"], nl=False)


@templates_app.command("edit")
def edit(name: str = typer.Argument(..., help=f"One of: {', '.join(TEMPLATE_NAMES)}."),
         file: Path = typer.Option(..., "--file", help="The new wording (Jinja2)."),
         as_user: str | None = AS_OPTION) -> None:
    """Replace a template's wording (managers). Unknown variables or syntax errors are refused now."""
    with transaction() as session:
        if not file.is_file():
            raise InvalidInput(f"{file} does not exist", [Problem("--file", "no such file", "give a template file")])
        actor = acting_user(session, as_user)
        compose_service.save_template(session, actor, name, file.read_text(encoding="utf-8"))
    console.print(f"Saved template {name}.")


@templates_app.command("reset")
def reset(name: str = typer.Argument(..., help="The template to put back to the shipped wording."),
          as_user: str | None = AS_OPTION) -> None:
    """Go back to the shipped wording (managers)."""
    with transaction() as session:
        compose_service.reset_template(session, acting_user(session, as_user), name)
    console.print(f"Template {name} is back to the shipped wording.")


stories_app = typer.Typer(help="Customer stories and proof points for briefs and openers.", no_args_is_help=True)


@stories_app.command("list")
def list_stories(as_json: bool = JSON_OPTION) -> None:
    """List the stories."""
    with transaction() as session:
        rows = [stories.story_dict(row) for row in stories.list_stories(session)]
    if as_json:
        print_json(rows)
        return
    for row in rows:
        console.print(f"[bold]{row['id']}. {row['title']}[/] ({row['kind']}, {row['industry'] or 'any industry'})")
        console.print(f"   {row['text']}", highlight=False)


@stories_app.command("add")
def add_story(
    title: str = typer.Option(..., "--title"),
    text: str = typer.Option(..., "--text", help="What the customer achieved, in a few sentences."),
    kind: str = typer.Option("story", "--kind", help="story or proof."),
    industry: str | None = typer.Option(None, "--industry"),
    keywords: str | None = typer.Option(None, "--keywords", help="Words that match a prospect's problems."),
    as_user: str | None = AS_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Add a story (managers and admins)."""
    with transaction() as session:
        row = stories.save_story(session, acting_user(session, as_user), story_id=None, kind=kind, title=title,
                                 text=text, industry=industry, problem_keywords=keywords)
        data = stories.story_dict(row)
    print_json(data) if as_json else console.print(f"Added story {data['id']}: {data['title']}")


@stories_app.command("remove")
def remove_story(story_id: int, as_user: str | None = AS_OPTION) -> None:
    """Remove a story (managers and admins)."""
    with transaction() as session:
        stories.delete_story(session, acting_user(session, as_user), story_id)
    console.print(f"Removed story {story_id}.")
