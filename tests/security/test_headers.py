"""Every response carries the browser protections; no page relies on inline script or style."""

from __future__ import annotations

import re

import httpx
from fastapi.testclient import TestClient

from tests.factories import make_user
from tests.web.test_login import _csrf


def _log_in(client: TestClient, email: str = "rep@ember.example") -> str:
    make_user(client.app.state.engine, email, password="correct horse")  # type: ignore[attr-defined]
    token = _csrf(client.get("/login").text)
    client.post("/login", data={"email": email, "password": "correct horse", "csrf": token})
    return _csrf(client.get("/").text)


def test_pages_and_api_answers_carry_the_protections(client, engine) -> None:
    for response in (client.get("/login"), client.get("/healthz"), client.get("/api/contacts")):
        headers = response.headers
        policy = headers["content-security-policy"]
        assert "script-src 'self';" in policy and "unsafe-inline" not in policy
        assert "frame-ancestors 'none'" in policy
        assert headers["x-frame-options"] == "DENY"
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"
        assert "strict-transport-security" not in headers  # plain HTTP: a browser would ignore it


def test_hsts_only_over_https(settings, engine, server_url) -> None:
    from ember.app import create_app

    with TestClient(create_app(settings, engine), base_url="https://ember.example") as tls:
        assert tls.get("/healthz").headers["strict-transport-security"].startswith("max-age=")
    # Behind a TLS proxy on this machine: uvicorn trusts its X-Forwarded-Proto.
    forwarded = httpx.get(f"{server_url}/healthz", headers={"X-Forwarded-Proto": "https"})
    assert "max-age=" in forwarded.headers["strict-transport-security"]
    assert "strict-transport-security" not in httpx.get(f"{server_url}/healthz").headers


def test_no_page_has_inline_script_or_style(client, engine) -> None:
    csrf = _log_in(client)
    contact = client.post("/api/contacts", json={"email": "nora@prospect.example", "first_name": "Nora"},
                          headers={"X-CSRF-Token": csrf}).json()
    pages = ["/", "/today", "/contacts", "/nurture", f"/contacts/{contact['id']}",
             f"/contacts/{contact['id']}/compose", "/deals", "/calls", "/calls/new", "/alerts"]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.text
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), f"inline script on {path}"
        assert not re.search(r"\son[a-z]+\s*=", html), f"inline event handler on {path}"
        assert not re.search(r"<style|\sstyle\s*=", html), f"inline style on {path}"
    logged_out = TestClient(client.app).get("/login").text
    assert "<script>" not in logged_out


def test_api_docs_page_allows_exactly_its_own_inline_script(client) -> None:
    response = client.get("/docs")
    assert response.status_code == 200 and "SwaggerUIBundle" in response.text
    policy = response.headers["content-security-policy"]
    assert "'sha256-" in policy and "frame-ancestors 'none'" in policy
    assert "https:" not in policy and "cdn" not in response.text  # nothing is loaded from elsewhere
    for asset in re.findall(r'(?:src|href)="(/static-docs/[^"]+)"', response.text):
        assert client.get(asset).status_code == 200, asset
    from ember.web.headers import docs_policy

    assert docs_policy(response.text) == policy  # the hash is the one of the script the page really has
    assert "unsafe-inline" not in policy.split("script-src", 1)[1].split(";", 1)[0]
