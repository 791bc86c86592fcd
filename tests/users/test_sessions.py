"""Web logins live on the server: logout and password changes end them, they time out,
a login starts a fresh one, and the cookie is Secure unless Ember serves loopback only."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from fastapi.testclient import TestClient

from ember.db import unit_of_work
from ember.users.repository import user_by_email
from ember.users.service import set_password
from tests.factories import make_user
from tests.web.test_login import _csrf

EMAIL, PASSWORD = "rep@ember.example", "correct horse"


def _log_in(client: TestClient) -> str:
    token = _csrf(client.get("/login").text)
    response = client.post("/login", data={"email": EMAIL, "password": PASSWORD, "csrf": token},
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    return client.cookies["ember_session"]


def _with_cookie(client: TestClient, cookie: str) -> TestClient:
    other = TestClient(client.app)
    other.cookies.set("ember_session", cookie)
    return other


def _logged_in(client: TestClient) -> bool:
    return client.get("/api/me").status_code == 200


def test_a_copied_cookie_is_worthless_after_logout(client, engine) -> None:
    make_user(engine, EMAIL, password=PASSWORD)
    stolen = _log_in(client)
    assert _logged_in(_with_cookie(client, stolen))
    client.post("/logout", data={"csrf": _csrf(client.get("/").text)})
    assert not _logged_in(_with_cookie(client, stolen))
    assert _with_cookie(client, stolen).get("/", follow_redirects=False).headers["location"] == "/login"


def test_a_password_change_ends_every_session_of_that_user_but_not_api_tokens(client, engine) -> None:
    rep = make_user(engine, EMAIL, password=PASSWORD)
    laptop = _log_in(client)
    phone = _log_in(TestClient(client.app))
    other_user = make_user(engine, "lead@ember.example", password=PASSWORD)
    with unit_of_work(engine) as session:
        user = user_by_email(session, EMAIL)
        assert user is not None
        set_password(session, user, "a brand new secret")
    assert not _logged_in(_with_cookie(client, laptop)) and not _logged_in(_with_cookie(client, phone))
    assert client.get("/api/me", headers=rep.headers).status_code == 200  # scripts keep working
    assert client.get("/api/me", headers=other_user.headers).status_code == 200


def test_login_starts_a_fresh_session_and_csrf_token(client, engine) -> None:
    make_user(engine, EMAIL, password=PASSWORD)
    anonymous_cookie = client.get("/login") and client.cookies["ember_session"]
    before = _csrf(client.get("/login").text)
    after_login = _log_in(client)
    assert after_login != anonymous_cookie
    assert _csrf(client.get("/").text) != before
    second = _log_in(client)  # logging in again replaces the session
    assert second != after_login and _logged_in(_with_cookie(client, second))


def test_idle_and_absolute_timeouts(client, engine, settings) -> None:
    make_user(engine, EMAIL, password=PASSWORD)
    with time_machine.travel("2026-03-02 09:00 +0000", tick=False) as clock:
        cookie = _log_in(client)
        clock.shift(timedelta(seconds=settings.login.session_idle_timeout_s - 60))
        assert _logged_in(_with_cookie(client, cookie)), "used just before the idle timeout"
        clock.shift(timedelta(seconds=settings.login.session_idle_timeout_s + 1))
        assert not _logged_in(_with_cookie(client, cookie)), "idle too long"
        cookie = _log_in(client)
        for hour in range(settings.login.session_max_age_s // 3600 - 1):  # busy every hour, day and night
            clock.shift(timedelta(hours=1))
            assert _logged_in(_with_cookie(client, cookie)), hour
        clock.shift(timedelta(hours=1))
        assert not _logged_in(_with_cookie(client, cookie)), "past the absolute timeout"


def _cookie_flags(settings, engine, base_url: str = "http://testserver") -> str:  # type: ignore[no-untyped-def]
    from ember.app import create_app

    with TestClient(create_app(settings, engine), base_url=base_url) as fresh:
        return fresh.get("/login").headers["set-cookie"].lower()


def test_cookie_is_secure_unless_served_on_loopback(settings, engine) -> None:
    assert "secure" not in _cookie_flags(settings, engine)  # the default: 127.0.0.1
    network = settings.model_copy(update={"host": "0.0.0.0"})
    assert "secure" in _cookie_flags(network, engine)
    assert "secure" in _cookie_flags(settings, engine, base_url="https://ember.example")  # TLS proxy in front
    assert "secure" not in _cookie_flags(network.model_copy(update={"secure_cookies": False}), engine)
    assert "secure" in _cookie_flags(settings.model_copy(update={"secure_cookies": True}), engine)
    flags = _cookie_flags(settings, engine)
    assert "httponly" in flags and "samesite=lax" in flags
