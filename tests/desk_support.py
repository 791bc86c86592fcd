"""Logging in to the desk with a test client and posting its forms as a browser would."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine

from tests.factories import TestUser, make_user

PASSWORD = "correct horse"
BROWSER = {"accept": "text/html"}


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "the page carries a CSRF token"
    return match.group(1)


class Desk:
    """A logged-in browser session: ``get`` pages, ``post`` their forms with the token."""

    def __init__(self, client: TestClient, email: str) -> None:
        self.client = client
        client.cookies.clear()
        token = csrf_of(client.get("/login").text)
        answer = client.post("/login", data={"email": email, "password": PASSWORD, "csrf": token},
                             follow_redirects=False)
        assert answer.status_code == 303, answer.text
        self.token = csrf_of(client.get("/", headers=BROWSER).text)

    def get(self, path: str, **kwargs: Any) -> Response:
        return self.client.get(path, headers=BROWSER, **kwargs)

    def post(self, path: str, data: dict[str, str] | None = None, **kwargs: Any) -> Response:
        headers = {**BROWSER, **kwargs.pop("headers", {})}
        return self.client.post(path, data={**(data or {}), "csrf": self.token}, headers=headers,
                                follow_redirects=kwargs.pop("follow_redirects", False), **kwargs)


def desk_people(engine: Engine, *, west_manager: bool = False) -> dict[str, TestUser]:
    """An admin, team East's manager Maya and rep Sam, team West's rep Wes (and manager Will)."""
    people = {
        "admin": make_user(engine, "admin@ember.example", role="admin", team=None, password=PASSWORD),
        "maya": make_user(engine, "maya@ember.example", role="manager", team="East", password=PASSWORD),
        "sam": make_user(engine, "sam@ember.example", role="rep", team="East", password=PASSWORD),
        "wes": make_user(engine, "wes@ember.example", role="rep", team="West", password=PASSWORD),
    }
    if west_manager:
        people["will"] = make_user(engine, "will@ember.example", role="manager", team="West", password=PASSWORD)
    return people
