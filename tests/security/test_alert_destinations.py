"""Alert channels cannot be pointed at this server or the private network (SSRF),
when saved or when sent, unless an administrator allows the host."""

from __future__ import annotations

import ipaddress
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from sqlalchemy import update

from ember.alerts.destinations import forbidden_reason
from ember.db import unit_of_work
from ember.models import User
from tests.alerts.test_delivery import _trigger, webhook_receiver
from tests.factories import make_user

REFUSED = [
    "json://127.0.0.1:8080/hook", "json://localhost:8080/hook", "json://169.254.169.254/latest/meta-data",
    "json://10.0.0.5/hook", "json://192.168.1.20/hook", "xml://[::1]:8080/hook", "form://[::ffff:127.0.0.1]/x",
    "json://0.0.0.0:8080/hook", "json://224.0.0.1/hook", "ntfy://172.16.0.9/alerts", "json://[fe80::1]/hook",
    "mailtos://user:pass@example.com?smtp=10.0.0.5&to=rep@example.com",
]


@pytest.mark.parametrize("url", REFUSED)
def test_private_and_local_destinations_are_refused_when_saved(client, engine, url: str) -> None:
    rep = make_user(engine, "rep@ember.example")
    response = client.put("/api/me/notify", headers=rep.headers, json={"urls": [url]})
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert "may not go to" in error["message"]
    assert "EMBER_ALERT_ALLOWED_HOSTS" in error["problems"][0]["fix"]
    assert client.get("/api/me/notify", headers=rep.headers).json() == {"urls": []}


def test_hosted_services_and_allowed_hosts_are_kept(client, engine, settings) -> None:
    from fastapi.testclient import TestClient

    from ember.app import create_app

    rep = make_user(engine, "rep@ember.example")
    slack = "slack://T1234ABCD/B5678EFGH/abcdefghijklmnopqrstuvwx"
    assert client.put("/api/me/notify", headers=rep.headers, json={"urls": [slack]}).status_code == 200
    allowed = settings.model_copy(update={"alert_allowed_hosts": "chat.internal, 10.20.0.0/16"})
    with TestClient(create_app(allowed, engine)) as admin_allowed:
        urls = ["json://10.20.3.4/hook", "mmost://chat.internal/token"]
        assert admin_allowed.put("/api/me/notify", headers=rep.headers, json={"urls": urls}).json()["urls"] == urls
        refused = admin_allowed.put("/api/me/notify", headers=rep.headers, json={"urls": ["json://10.30.0.1/x"]})
        assert refused.status_code == 422


def test_every_kind_of_internal_address_is_named(engine) -> None:
    for text, reason in [("127.0.0.1", "loopback"), ("::1", "loopback"), ("::ffff:10.1.2.3", "private"),
                         ("169.254.169.254", "link-local"), ("fe80::1", "link-local"), ("ff02::1", "multicast"),
                         ("0.0.0.0", "unspecified"), ("::", "unspecified"), ("240.0.0.1", "reserved"),
                         ("100.64.0.1", "private"), ("fd00::1", "private")]:
        assert forbidden_reason(ipaddress.ip_address(text)) == f"a {reason} address", text
    assert forbidden_reason(ipaddress.ip_address("93.184.216.34")) is None
    assert forbidden_reason(ipaddress.ip_address("2606:4700::1111")) is None


def _store_url_as_saved_long_ago(engine, user_id: int, url: str) -> None:  # type: ignore[no-untyped-def]
    with unit_of_work(engine) as session:
        session.execute(update(User).where(User.id == user_id).values(notify_urls=[url]))


def test_a_url_that_now_leads_inside_is_refused_at_send_time(client, engine, settings) -> None:
    rep = make_user(engine, "rep@ember.example")
    with webhook_receiver() as (url, received):
        _store_url_as_saved_long_ago(engine, rep.id, url)  # e.g. its DNS answer changed since
        _trigger(client, engine, settings, rep.id)
    assert received == []
    (alert,) = client.get("/api/alerts", headers=rep.headers).json()
    assert alert["delivered"] is False
    assert "loopback" in alert["last_error"] and "EMBER_ALERT_ALLOWED_HOSTS" in alert["last_error"]


@contextmanager
def redirecting_server(target: str) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.send_response(307)
            self.send_header("location", target)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"json://127.0.0.1:{server.server_address[1]}/hook"
    finally:
        server.shutdown()


def test_an_allowed_host_cannot_redirect_the_alert_inside(engine, settings) -> None:
    """Only 127.0.0.1 is allowed; it answers with a redirect to 127.0.0.2, which is not."""
    from fastapi.testclient import TestClient

    from ember.app import create_app

    rep = make_user(engine, "rep@ember.example")
    allowed = settings.model_copy(update={"alert_allowed_hosts": "127.0.0.1"})
    inner_got: list[bytes] = []

    class Inner(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            inner_got.append(self.rfile.read(int(self.headers.get("content-length", 0))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    inner = HTTPServer(("127.0.0.2", 0), Inner)
    threading.Thread(target=inner.serve_forever, daemon=True).start()
    try:
        with redirecting_server(f"http://127.0.0.2:{inner.server_address[1]}/admin") as url, \
                TestClient(create_app(allowed, engine)) as client:
            assert client.put("/api/me/notify", headers=rep.headers, json={"urls": [url]}).status_code == 200
            _trigger(client, engine, allowed, rep.id)
            (alert,) = client.get("/api/alerts", headers=rep.headers).json()
    finally:
        inner.shutdown()
    assert inner_got == []
    assert "refused to connect to 127.0.0.2" in alert["last_error"]
