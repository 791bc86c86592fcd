"""Logging in to the pages with the test client, as a browser would (form, cookie, CSRF token)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

BROWSER = {"Accept": "text/html"}


def token_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "the page has no form token"
    return found.group(1)


def log_in(client: TestClient, email: str, password: str = "correct horse") -> str:
    """Log in and return the session's form token."""
    client.post("/login", data={"email": email, "password": password, "csrf": token_of(client.get("/login").text)})
    return token_of(client.get("/calls", headers=BROWSER).text)
