"""The desk's mailbox page: each person connects their own mailbox by IMAP, tests it, or disconnects it.

The password (or app password) goes to the mail server and, encrypted with
EMBER_INBOX_KEY, to the database; it is never shown again, not even on a form
that failed. The page says when the mailbox was last read and what happened.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from ember.api.deps import Db
from ember.errors import EmberError, InvalidInput, NotFound, Problem
from ember.inbox import imap, service
from ember.secretbox import NO_KEY
from ember.users.access import Actor
from ember.web.desk import PageUser, checked_form, done, failed
from ember.web.settings_pages import desk, sections_for

router = APIRouter(include_in_schema=False)
FormText = Annotated[str, Form()]
TEMPLATE = "settings/mailbox.html"
DEFAULT_FORM = {"port": "993", "security": "ssl", "sent_folder": "", "auth": "password", "provider": ""}
# Where the inbox service names a problem, and the form field it belongs to (the OAuth2 way's
# fields keep their names).
FIELDS = {"mailbox": "password", "folder": "sent_folder"}


def _context(request: Request, db: Db, actor: Actor) -> dict[str, Any]:
    inbox = request.app.state.settings.inbox
    return {"section": "mailbox", "mailbox": service.mailbox_view(db, actor),
            "no_key": None if inbox.inbox_key else NO_KEY, "zone": actor.timezone}


def _port(value: str) -> int:
    text = value.strip()
    if not text.isdigit():
        raise InvalidInput("the port is not a number", [Problem("port", f"{text!r} is not a port",
                                                                "993 for TLS, 143 for STARTTLS")])
    return int(text)


def _failed(request: Request, db: Db, actor: Actor, exc: EmberError, form: dict[str, str]) -> Response:
    fields = {**FIELDS, "mailbox": "token"} if form.get("auth") == "xoauth2" else FIELDS
    exc.problems[:] = [Problem(fields.get(p.where, p.where), p.what, p.fix) for p in exc.problems]
    if not exc.problems:  # no key, or a key that is not one: the field that cannot be kept
        exc.problems.append(Problem("password", "cannot be stored encrypted", exc.message))
    return failed(request, db, TEMPLATE, exc, sections=sections_for(actor, request), form=form,
                  **_context(request, db, actor))


@router.get("/settings/mailbox")
def mailbox_page(request: Request, db: Db, actor: PageUser) -> Response:
    return desk(request, TEMPLATE, actor, form=DEFAULT_FORM, **_context(request, db, actor))


@router.post("/settings/mailbox")
def connect_mailbox(request: Request, db: Db, actor: PageUser, host: FormText = "", port: FormText = "993",
                    security: FormText = "ssl", user: FormText = "", password: FormText = "",
                    auth: FormText = "password", provider: FormText = "", token: FormText = "",
                    refresh_token: FormText = "", sent_folder: FormText = "", action: FormText = "connect",
                    csrf: FormText = "") -> Response:
    """Test the details against the server (stores nothing), or connect: test, then keep them.
    The password way sends ``password``; the OAuth2 way ``token``, ``refresh_token`` and ``provider``."""
    checked_form(request, csrf)
    settings = request.app.state.settings
    inbox = settings.inbox
    form = {"host": host, "port": port, "security": security, "user": user, "sent_folder": sent_folder,
            "auth": auth, "provider": provider}
    oauth2 = auth == "xoauth2"
    secret = token if oauth2 else password
    try:
        number = _port(port)
        if action == "test" and not (oauth2 and refresh_token.strip()):
            sent = service.try_mailbox(
                imap.Connection(host.strip(), number, security, user.strip(), auth, secret,
                                inbox.inbox_ca_file, inbox.inbox_timeout_s), sent_folder=sent_folder.strip() or None)
            tested = {"host": host.strip(), "sent": sent}
            return desk(request, TEMPLATE, actor, form=form, tested=tested, **_context(request, db, actor))
        found = service.connect_mailbox(
            db, actor, host=host, username=user, secret=secret, key=inbox.inbox_key, port=number,
            security=security, auth=auth, sent_folder=sent_folder.strip() or None, ca_file=inbox.inbox_ca_file,
            timeout=inbox.inbox_timeout_s, refresh_token=refresh_token if oauth2 else None,
            provider=provider if oauth2 else None, settings=settings)
        if action == "test":  # tested with a refresh, as a connect would: nothing is kept
            db.rollback()
            tested = {"host": host.strip(), "sent": found.sent_folder}
            return desk(request, TEMPLATE, actor, form=form, tested=tested, **_context(request, db, actor))
    except EmberError as exc:
        return _failed(request, db, actor, exc, form)
    reads = f"sent mail from {found.sent_folder}" if found.sent_folder else "only the inbox (no sent folder found)"
    kept = "Your tokens are" if oauth2 else "Your password is"
    return done(request, f"Mailbox {found.username} connected: Ember reads the inbox and {reads} every few "
                         f"minutes. {kept} stored encrypted and will not be shown again.", "/settings/mailbox")


@router.post("/settings/mailbox/disconnect")
def disconnect_mailbox(request: Request, db: Db, actor: PageUser, csrf: FormText = "") -> Response:
    checked_form(request, csrf)
    try:
        service.disconnect_mailbox(db, actor)
    except NotFound:
        return done(request, "No mailbox was connected.", "/settings/mailbox")
    return done(request, "Mailbox disconnected: Ember no longer reads it, and its password is deleted.",
                "/settings/mailbox")
