from __future__ import annotations

import re

from tests.factories import make_user


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "the form carries a CSRF token"
    return match.group(1)


def test_login_sets_a_session_and_shows_home(client, engine) -> None:
    make_user(engine, "rep@ember.example", password="correct horse")
    form = client.get("/login")
    response = client.post("/login", data={"email": "rep@ember.example", "password": "correct horse",
                                           "csrf": _csrf(form.text)}, follow_redirects=True)
    assert response.status_code == 200
    assert "Good to see you" in response.text
    cookie = response.history[0].headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie


def test_wrong_password_is_refused_without_detail(client, engine) -> None:
    make_user(engine, "rep@ember.example", password="correct horse")
    form = client.get("/login")
    response = client.post("/login", data={"email": "rep@ember.example", "password": "nope",
                                           "csrf": _csrf(form.text)})
    assert response.status_code == 401 and "wrong email or password" in response.text


def test_login_without_csrf_token_is_refused(client, engine) -> None:
    make_user(engine, "rep@ember.example", password="correct horse")
    client.get("/login")
    response = client.post("/login", data={"email": "rep@ember.example", "password": "correct horse"})
    assert response.status_code == 403
    assert client.get("/", follow_redirects=False).status_code == 303


def test_cookie_session_needs_csrf_header_for_api_changes(client, engine) -> None:
    make_user(engine, "rep@ember.example", password="correct horse")
    token = _csrf(client.get("/login").text)
    client.post("/login", data={"email": "rep@ember.example", "password": "correct horse", "csrf": token})
    token = _csrf(client.get("/").text)
    assert client.post("/api/contacts", json={"email": "a@b.example"}).status_code == 403
    ok = client.post("/api/contacts", json={"email": "a@b.example"}, headers={"X-CSRF-Token": token})
    assert ok.status_code == 201
    assert client.get("/api/contacts").json()[0]["email"] == "a@b.example"


def test_home_requires_login(client) -> None:
    assert client.get("/", follow_redirects=False).headers["location"] == "/login"
