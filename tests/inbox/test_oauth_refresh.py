"""OAuth2 mailboxes stay connected: a real dovecot takes XOAUTH2 bearer tokens, checking each at a local
stand-in for the provider, which also refreshes tokens the way Google's and Microsoft's endpoints do."""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import uvicorn
from fastapi.testclient import TestClient
from imapclient import IMAPClient
from sqlalchemy import Engine, select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ember.app import create_app
from ember.db import unit_of_work
from ember.errors import InvalidInput
from ember.inbox import oauth, secrets, service
from ember.inbox.sync import sync_mailbox
from ember.models import Mailbox, User
from ember.settings import Settings
from ember.users.access import Actor
from tests.compose_support import add_contact
from tests.desk_support import PASSWORD, Desk
from tests.factories import make_user
from tests.inbox.imap_server import ImapServer, dovecot

pytestmark = pytest.mark.db
KEY = secrets.new_key()
CLIENT_ID, CLIENT_SECRET = "ember-test-client", "client-secret-1"
USER = "dana@acme.example"
_tokens = itertools.count(1)


@dataclass
class Provider:
    """What the stand-in token endpoint knows: live access tokens (by owner), refresh tokens, requests seen."""

    url: str = ""
    access: dict[str, str] = field(default_factory=dict)
    refresh: dict[str, str] = field(default_factory=dict)
    seen: list[dict[str, str]] = field(default_factory=list)

    def issue(self, email: str) -> tuple[str, str]:
        access, refresh = f"ya29.access-{next(_tokens)}", f"1//refresh-{next(_tokens)}"
        self.access[access], self.refresh[refresh] = email, email
        return access, refresh

    def expire(self, access: str) -> None:
        self.access.pop(access, None)


def _app(provider: Provider) -> Starlette:
    async def token(request: Request) -> JSONResponse:
        form = {k: str(v) for k, v in (await request.form()).items()}
        provider.seen.append(form)
        if (form.get("client_id"), form.get("client_secret")) != (CLIENT_ID, CLIENT_SECRET):
            return JSONResponse({"error": "invalid_client", "error_description": "The OAuth client was not found."},
                                status_code=401)
        if form.get("grant_type") != "refresh_token" or form.get("refresh_token") not in provider.refresh:
            return JSONResponse({"error": "invalid_grant", "error_description": "Token has been expired or revoked."},
                                status_code=400)
        access = f"ya29.access-{next(_tokens)}"
        provider.access[access] = provider.refresh[form["refresh_token"]]
        return JSONResponse({"access_token": access, "expires_in": 3599, "token_type": "Bearer",
                             "scope": "https://mail.google.com/"})

    async def tokeninfo(request: Request) -> JSONResponse:
        email = provider.access.get(request.query_params.get("access_token", ""))
        if email is None:
            return JSONResponse({"error": "invalid_token"}, status_code=400)
        return JSONResponse({"email": email, "expires_in": 3000})

    return Starlette(routes=[Route("/token", token, methods=["POST"]), Route("/tokeninfo", tokeninfo)])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    found = Provider()
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(_app(found), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    found.url = f"http://127.0.0.1:{port}"
    yield found
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def oauth_imap(provider: Provider) -> Iterator[ImapServer]:
    root = Path(tempfile.mkdtemp(prefix="ember-dovecot-oauth-"))
    os.chmod(root, 0o755)
    try:
        with dovecot(root, {"nobody-uses-this@example.com": "x"},
                     tokeninfo_url=f"{provider.url}/tokeninfo?access_token=") as server:
            yield server
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def oauth_settings(settings: Settings, oauth_imap: ImapServer, provider: Provider) -> Settings:
    return settings.model_copy(update={
        "inbox_key": KEY, "inbox_ca_file": str(oauth_imap.ca_file), "inbox_timeout_s": 10.0,
        "inbox_google_client_id": CLIENT_ID, "inbox_google_client_secret": CLIENT_SECRET,
        "inbox_google_token_url": f"{provider.url}/token"})


@pytest.fixture
def rep(engine: Engine) -> Actor:
    make_user(engine, USER)
    with unit_of_work(engine) as session:
        user = session.scalar(select(User).where(User.email == USER))
        assert user is not None
        return Actor.of(user)


def _connect(engine: Engine, rep: Actor, server: ImapServer, settings: Settings, access: str,
             refresh: str | None) -> int:
    with unit_of_work(engine) as session:
        service.connect_mailbox(session, rep, host=server.host, port=server.port, username=USER, secret=access,
                                key=KEY, auth="xoauth2", ca_file=settings.inbox.inbox_ca_file, timeout=10,
                                refresh_token=refresh, provider="google" if refresh else None, settings=settings)
        return service.mailbox_id_of(session, rep)


def _stored(engine: Engine, mailbox_id: int) -> tuple[Mailbox, oauth.OAuthTokens]:
    with unit_of_work(engine) as session:
        mailbox = session.get(Mailbox, mailbox_id)
        assert mailbox is not None
        session.expunge(mailbox)
    return mailbox, oauth.tokens_from(secrets.decrypt(KEY, mailbox.secret))


def _deliver(server: ImapServer, provider: Provider, email: str) -> None:
    """A reply lands in the rep's inbox (appended over IMAP with a token of its own)."""
    access, _ = provider.issue(email)
    with IMAPClient(server.host, port=server.port, ssl=True, ssl_context=server.ssl_context()) as client:
        client.oauth2_login(email, access)
        client.append("INBOX", (f"From: Marco <marco@harbor.example>\r\nTo: {email}\r\nSubject: Re: pricing\r\n"
                                f"Date: {datetime.now(UTC):%a, %d %b %Y %H:%M:%S +0000}\r\n"
                                f"Message-ID: <r{next(_tokens)}@harbor.example>\r\n\r\nYes, Thursday works.\r\n")
                      .encode())


def test_an_expired_token_is_refreshed_before_the_read_and_kept(engine, rep, oauth_imap, provider,
                                                               oauth_settings) -> None:  # type: ignore[no-untyped-def]
    access, refresh = provider.issue(USER)
    mailbox_id = _connect(engine, rep, oauth_imap, oauth_settings, access, refresh)
    add_contact(engine, rep.id, email="marco@harbor.example")
    _deliver(oauth_imap, provider, USER)
    provider.expire(access)  # an hour later: the server no longer takes it
    with unit_of_work(engine) as session:  # and Ember knows when it expired
        mailbox = session.get(Mailbox, mailbox_id)
        assert mailbox is not None
        stale = oauth.OAuthTokens(access, refresh, "google", datetime.now(UTC) - timedelta(minutes=1))
        mailbox.secret = secrets.encrypt(KEY, stale.seal_text())
    provider.seen.clear()
    report = sync_mailbox(engine, oauth_settings, mailbox_id)
    assert report.error is None and report.matched == 1
    assert [(s["grant_type"], s["refresh_token"], s["client_id"], s["client_secret"]) for s in provider.seen] == [
        ("refresh_token", refresh, CLIENT_ID, CLIENT_SECRET)]
    mailbox, tokens = _stored(engine, mailbox_id)
    assert mailbox.status == "ok" and tokens.access_token != access and tokens.access_token in provider.access
    assert tokens.refresh_token == refresh and tokens.expires_at is not None
    assert tokens.expires_at > datetime.now(UTC) + timedelta(minutes=50)
    assert access not in mailbox.secret and refresh not in mailbox.secret  # sealed, never readable in the row


def test_a_token_the_server_refuses_is_refreshed_once_and_the_read_goes_on(engine, rep, oauth_imap, provider,
                                                                          oauth_settings) -> None:  # type: ignore[no-untyped-def]
    access, refresh = provider.issue(USER)
    mailbox_id = _connect(engine, rep, oauth_imap, oauth_settings, access, refresh)
    provider.expire(access)  # revoked early: Ember still thinks it has time, the server says AUTHENTICATE failed
    provider.seen.clear()
    report = sync_mailbox(engine, oauth_settings, mailbox_id)
    assert report.error is None
    assert len(provider.seen) == 1
    assert _stored(engine, mailbox_id)[0].status == "ok"


def test_a_refused_refresh_shows_the_providers_words_on_the_mailbox(engine, rep, oauth_imap, provider,
                                                                   oauth_settings) -> None:  # type: ignore[no-untyped-def]
    access, refresh = provider.issue(USER)
    mailbox_id = _connect(engine, rep, oauth_imap, oauth_settings, access, refresh)
    provider.expire(access)
    provider.refresh.pop(refresh)  # the rep revoked Ember's access at Google
    report = sync_mailbox(engine, oauth_settings, mailbox_id)
    assert report.error is not None and "invalid_grant" in report.error
    mailbox, _ = _stored(engine, mailbox_id)
    assert mailbox.status == "failed"
    assert mailbox.last_error is not None
    assert "Google refused to refresh the token (invalid_grant: Token has been expired or revoked.)" \
        in mailbox.last_error


def test_connecting_with_only_a_refresh_token_gets_the_access_token_first(engine, rep, oauth_imap, provider,
                                                                         oauth_settings) -> None:  # type: ignore[no-untyped-def]
    _, refresh = provider.issue(USER)
    mailbox_id = _connect(engine, rep, oauth_imap, oauth_settings, "", refresh)
    mailbox, tokens = _stored(engine, mailbox_id)
    assert mailbox.auth == "xoauth2" and tokens.access_token in provider.access and tokens.provider == "google"


def test_oauth_details_are_checked_before_anything_is_stored(engine, rep, oauth_imap, provider,
                                                             oauth_settings) -> None:  # type: ignore[no-untyped-def]
    access, refresh = provider.issue(USER)
    unset = oauth_settings.model_copy(update={"inbox_microsoft_client_id": None})
    cases = [("yahoo", refresh, oauth_settings, "provider"), ("google", "1//made-up", oauth_settings, "refresh_token"),
             ("microsoft", refresh, unset, "provider")]
    for provider_name, token, settings, where in cases:
        with pytest.raises(InvalidInput) as refused, unit_of_work(engine) as session:
            service.connect_mailbox(session, rep, host=oauth_imap.host, port=oauth_imap.port, username=USER,
                                    secret="" if token == "1//made-up" else access, key=KEY, auth="xoauth2",
                                    ca_file=settings.inbox.inbox_ca_file, timeout=10, refresh_token=token,
                                    provider=provider_name, settings=settings)
        assert where in [p.where for p in refused.value.problems], (provider_name, refused.value.problems)
    with unit_of_work(engine) as session:
        assert session.scalar(select(Mailbox.id)) is None


def test_the_mailbox_page_connects_by_oauth2_and_shows_a_failed_refresh(engine, oauth_imap, provider,
                                                                        oauth_settings) -> None:  # type: ignore[no-untyped-def]
    make_user(engine, USER, password=PASSWORD)
    access, refresh = provider.issue(USER)
    form = {"host": oauth_imap.host, "port": str(oauth_imap.port), "security": "ssl", "user": USER,
            "auth": "xoauth2", "provider": "google", "token": access, "refresh_token": refresh, "sent_folder": ""}
    with TestClient(create_app(oauth_settings, engine)) as client:
        desk = Desk(client, USER)
        page = desk.get("/settings/mailbox").text
        assert 'value="xoauth2"' in page and 'name="refresh_token"' in page and 'name="provider"' in page

        no_provider = desk.post("/settings/mailbox", {**form, "provider": ""})
        assert no_provider.status_code == 422 and 'id="error-provider"' in no_provider.text
        made_up = desk.post("/settings/mailbox", {**form, "token": "", "refresh_token": "1//made-up"})
        assert made_up.status_code == 422 and 'id="error-refresh_token"' in made_up.text
        assert "invalid_grant" in made_up.text and "1//made-up" not in made_up.text
        with unit_of_work(engine) as session:
            assert session.scalar(select(Mailbox.id)) is None

        connected = desk.post("/settings/mailbox", form, follow_redirects=True)
        assert 'id="connected"' in connected.text and "OAuth2 token" in connected.text
        assert access not in connected.text and refresh not in connected.text
        with unit_of_work(engine) as session:
            mailbox_id = session.scalar(select(Mailbox.id))
        provider.expire(access)
        provider.refresh.pop(refresh)
        sync_mailbox(engine, oauth_settings, mailbox_id)
        shown = desk.get("/settings/mailbox").text
        assert ">failed<" in shown and "Google refused to refresh the token (invalid_grant" in shown
