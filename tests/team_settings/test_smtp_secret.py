"""The mail server password set on the desk: stored encrypted with EMBER_INBOX_KEY, never shown, never in the
audit trail, still what the mail server is logged in with; refused on the form without the key (the migration
that seals passwords stored readable before is tested under tests/migrations)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlalchemy import Engine

from ember import secretbox
from ember.app import create_app
from ember.db import unit_of_work
from ember.models import AuditEntry, TeamSetting
from ember.settings import Settings
from tests.compose_support import Mailbox, free_port
from tests.desk_support import PASSWORD, Desk
from tests.factories import make_user

KEY = secretbox.new_key()
SECRET = "hunter2-very-secret"


@contextmanager
def smtp_with_login(user: str, password: str) -> Iterator[tuple[Mailbox, int, list[str]]]:
    """A real SMTP server that takes mail only after a login with this user and password."""
    mailbox, port, tried = Mailbox(), free_port(), []

    def check(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        if isinstance(data, LoginPassword):
            tried.append(data.password.decode())
            return AuthResult(success=data.login.decode() == user and data.password.decode() == password)
        return AuthResult(success=False)

    controller = Controller(mailbox, hostname="127.0.0.1", port=port, authenticator=check, auth_required=True,
                            auth_require_tls=False)
    controller.start()
    try:
        yield mailbox, port, tried
    finally:
        controller.stop()


def _with_key(settings: Settings, key: str | None) -> Settings:
    return settings.model_copy(update={"inbox": settings.inbox.model_copy(update={"inbox_key": key})})


def _stored_password(engine: Engine) -> str:
    with unit_of_work(engine) as session:
        return session.query(TeamSetting).filter_by(scope="*", name="smtp_password").one().value


def _form(port: int, password: str) -> dict[str, str]:
    return {"smtp_host": "127.0.0.1", "smtp_port": str(port), "smtp_tls": "none", "smtp_user": "ember",
            "smtp_password": password, "mail_from": "sales@ember.example"}


def test_the_password_is_sealed_never_shown_and_still_logs_in(settings, engine) -> None:
    from fastapi.testclient import TestClient

    make_user(engine, "admin@ember.example", role="admin", team=None, password=PASSWORD)
    with TestClient(create_app(_with_key(settings, KEY), engine)) as client, \
            smtp_with_login("ember", SECRET) as (mailbox, port, tried):
        desk = Desk(client, "admin@ember.example")
        assert desk.post("/settings/smtp", _form(port, SECRET)).status_code == 303
        stored = _stored_password(engine)
        assert stored.startswith("fernet:") and SECRET not in stored
        assert secretbox.unseal(KEY, stored) == SECRET
        assert SECRET not in desk.get("/settings/smtp").text
        sent = desk.post("/settings/smtp/test", {"test_to": "maya@ember.example"}, follow_redirects=True)
        assert "Test email sent" in sent.text and len(mailbox.received) == 1 and tried == [SECRET]
        # An empty field keeps the stored password; a change elsewhere does not unseal it.
        assert desk.post("/settings/smtp", {**_form(port, ""), "mail_from": ""}).status_code == 303
        assert _stored_password(engine) == stored
    with unit_of_work(engine) as session:
        trail = json.dumps([entry.changes for entry in session.query(AuditEntry)], default=str)
    assert SECRET not in trail and "fernet:" not in trail


def test_without_the_key_the_password_is_refused_on_the_form_and_nothing_is_stored(settings, engine) -> None:
    from fastapi.testclient import TestClient

    make_user(engine, "admin@ember.example", role="admin", team=None, password=PASSWORD)
    with TestClient(create_app(_with_key(settings, None), engine)) as client:
        desk = Desk(client, "admin@ember.example")
        refused = desk.post("/settings/smtp", _form(2525, SECRET))
        assert refused.status_code == 422 and 'id="error-smtp_password"' in refused.text
        assert "EMBER_INBOX_KEY" in refused.text and "ember inbox new-key" in refused.text
        assert SECRET not in refused.text  # not even echoed back into the field
        with unit_of_work(engine) as session:
            assert session.query(TeamSetting).count() == 0
        # Without a password the rest saves as before.
        assert desk.post("/settings/smtp", _form(2525, "")).status_code == 303
