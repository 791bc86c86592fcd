"""`ember inbox`: connect a rep's mailbox, read it now, and decide removal requests."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from ember.cli.common import AS_OPTION, JSON_OPTION, acting_user, console, engine, print_json, transaction, user_errors
from ember.errors import InvalidInput, NotFound, Problem
from ember.inbox import secrets, service
from ember.inbox.sync import sync_mailbox
from ember.settings import get_settings

inbox_app = typer.Typer(help="Reps' mailboxes: replies, bounces and sent mail log themselves.",
                        no_args_is_help=True)


@inbox_app.command("new-key")
def new_key() -> None:
    """Print a new key for EMBER_INBOX_KEY (it encrypts mailbox passwords and tokens)."""
    console.print(secrets.new_key(), highlight=False)


def _read_secret(path: Path | None, label: str) -> str:
    if path is None:
        return str(typer.prompt(label, hide_input=True))
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}", [Problem(str(path), exc.strerror or str(exc),
                                                           "give a readable file holding only the secret")]) from exc


@inbox_app.command("connect")
def connect(
    host: str = typer.Option(..., "--host", help="IMAP server, e.g. imap.gmail.com or outlook.office365.com."),
    user: str = typer.Option(..., "--user", help="Mailbox login, usually the email address."),
    password_file: Path | None = typer.Option(None, "--password-file",
                                              help="File holding the password or app password (default: asked)."),
    token_file: Path | None = typer.Option(None, "--token-file",
                                           help="File holding an OAuth2 access token (XOAUTH2) instead of a password."),
    refresh_token_file: Path | None = typer.Option(
        None, "--refresh-token-file", help="File holding the OAuth2 refresh token: Ember then gets a new access "
        "token every hour (needs --provider and the provider's client id and secret in the settings)."),
    provider: str | None = typer.Option(None, "--provider", help="google or microsoft (with --refresh-token-file)."),
    port: int = typer.Option(993, "--port"),
    security: str = typer.Option("ssl", "--security", help="ssl (port 993) or starttls (port 143)."),
    sent_folder: str | None = typer.Option(None, "--sent-folder",
                                           help="Folder of sent mail (default: the one the server marks as Sent)."),
    as_user: str | None = AS_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Connect the acting user's mailbox (the details are checked with the server before they are kept)."""
    settings = get_settings()
    with user_errors():
        auth = "xoauth2" if token_file or refresh_token_file else "password"
        refresh_token = _read_secret(refresh_token_file, "Refresh token") if refresh_token_file else None
        if refresh_token and not token_file:
            secret = ""  # the refresh token gets the first access token
        else:
            secret = _read_secret(token_file or password_file, "Access token" if token_file else "Password")
    with transaction() as session:
        found = service.connect_mailbox(
            session, acting_user(session, as_user), host=host, username=user, secret=secret,
            key=settings.inbox.inbox_key, port=port, security=security, auth=auth, sent_folder=sent_folder,
            ca_file=settings.inbox.inbox_ca_file, timeout=settings.inbox.inbox_timeout_s,
            refresh_token=refresh_token, provider=provider, settings=settings)
    if as_json:
        print_json(found.as_dict())
        return
    console.print(f"Connected {found.username} on {found.host} for {found.user} (sent mail from "
                  f"{found.sent_folder or 'no folder: only the inbox is read'}).", highlight=False)


@inbox_app.command("status")
def status(as_user: str | None = AS_OPTION, as_json: bool = JSON_OPTION) -> None:
    """The acting user's mailbox: server, last read, and the server's error when the last read failed."""
    with transaction() as session:
        actor = acting_user(session, as_user)
        found = service.mailbox_view(session, actor)
        if found is None:
            raise NotFound(f"{actor.email} has no mailbox connected; connect one with `ember inbox connect`")
    if as_json:
        print_json(found.as_dict())
        return
    when = found.last_sync_at.strftime("%Y-%m-%d %H:%M UTC") if found.last_sync_at else "never"
    console.print(f"{found.username} on {found.host}:{found.port} ({found.security}, {found.auth}): {found.status}, "
                  f"last read {when}", highlight=False, markup=False)
    if found.last_error:
        console.print(f"error: {found.last_error}", highlight=False, markup=False)


@inbox_app.command("sync")
def sync(as_user: str | None = AS_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Read the acting user's mailbox now (the worker does it on a schedule)."""
    with transaction() as session:
        mailbox_id = service.mailbox_id_of(session, acting_user(session, as_user))
    report = sync_mailbox(engine(), get_settings(), mailbox_id)
    if as_json:
        print_json({"read": report.read, "matched": report.matched, "recorded": report.recorded,
                    "error": report.error})
    else:
        console.print(f"read {report.read} new messages, {report.matched} about contacts "
                      f"({', '.join(report.recorded) or 'nothing to do'})", highlight=False)
    if report.error:
        console.print(f"error: {report.error}", highlight=False, markup=False)
        raise typer.Exit(1)


@inbox_app.command("messages")
def messages(
    to_confirm: bool = typer.Option(False, "--to-confirm", help="Only removal requests waiting for your decision."),
    limit: int = typer.Option(50, "--limit", min=1, max=1000),
    as_user: str | None = AS_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Messages about contacts, newest first, with what Ember made of each and why."""
    with transaction() as session:
        rows = [{"id": m.id, "received_at": m.received_at.isoformat(), "from": m.from_email, "subject": m.subject,
                 "kind": m.kind, "status": m.status, "reason": m.reason, "quote": m.quote,
                 "return_at": m.return_at.isoformat() if m.return_at else None, "contact_id": m.contact_id}
                for m in service.recent_mail(session, acting_user(session, as_user), to_confirm=to_confirm,
                                             limit=limit)]
    if as_json:
        print_json(rows)
        return
    table = Table("id", "received", "from", "what", "why")
    for row in rows:
        table.add_row(str(row["id"]), str(row["received_at"])[:16].replace("T", " "), str(row["from"] or ""),
                      f"{row['kind']} ({row['status']})", str(row["reason"]))
    console.print(table)


@inbox_app.command("confirm")
def confirm(
    message_id: int = typer.Argument(..., help="The message id (see `ember inbox messages --to-confirm`)."),
    stop: bool = typer.Option(..., "--stop/--keep", help="--stop: no more emails to them; --keep: carry on."),
    as_user: str | None = AS_OPTION,
) -> None:
    """Decide a removal request written in the prospect's own words."""
    with transaction() as session:
        mail = service.confirm_removal(session, acting_user(session, as_user), message_id, stop=stop,
                                       cadence=get_settings().cadence.planning())
        console.print(mail.reason, highlight=False, markup=False)


@inbox_app.command("disconnect")
def disconnect(as_user: str | None = AS_OPTION) -> None:
    """Forget the acting user's mailbox and its stored password."""
    with transaction() as session:
        actor = acting_user(session, as_user)
        service.disconnect_mailbox(session, actor)
    console.print(f"Mailbox of {actor.email} disconnected.", highlight=False)
