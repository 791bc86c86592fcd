"""End to end in Chromium: a known contact opens our email link to a site carrying the snippet;
the rep, logged in to Ember in another tab, sees the alert light up."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest

from ember.events.rules import site_key, tracked_url
from ember.jobs.runner import background_consumer
from tests.factories import make_user
from tests.trigger_support import make_contact, make_source

pytestmark = pytest.mark.browser


@contextmanager
def demo_site(ember_url: str, key: str) -> Iterator[str]:
    """The team's website, on its own origin, with the snippet on every page."""
    page = (f'<!doctype html><html><head><title>Pricing</title><script src="{ember_url}/t.js" data-site="{key}" '
            f'async></script></head><body><h1>Plans and pricing</h1></body></html>').encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("content-type", "text/html")
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


def test_pricing_visit_from_an_email_link_alerts_the_rep_live(page, server_url, engine, settings, client) -> None:
    rep = make_user(engine, "rep@ember.example", password="correct horse")
    contact_id = make_contact(engine, rep.id, "nora@prospect.example", nurture=True)
    key = site_key(make_source(engine))
    page.goto(f"{server_url}/login")
    page.fill("input[name=email]", "rep@ember.example")
    page.fill("input[name=password]", "correct horse")
    page.click("button[type=submit]")
    page.wait_for_url(f"{server_url}/")
    badge = page.locator("#alert-count")
    assert badge.is_hidden()
    with background_consumer(settings, workers=1), demo_site(server_url, key) as site:
        prospect = page.context.browser.new_context()  # the prospect's own browser
        visitor = prospect.new_page()
        visitor.goto(tracked_url(settings.resolved_secret_key(), f"{site}/pricing", contact_id))
        assert visitor.text_content("h1") == "Plans and pricing"
        badge.wait_for(state="visible", timeout=15_000)
        prospect.close()
    assert badge.text_content() == "1"
    assert "Nora Quinn visited the pricing page" in (page.text_content("#live-alert") or "")
    (alert,) = client.get("/api/alerts", headers=rep.headers).json()
    assert alert["rule"] == "Pricing page visit" and "ember_cid" not in (alert["url"] or "")
