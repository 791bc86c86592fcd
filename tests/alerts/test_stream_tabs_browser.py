"""A rep with more tabs than live feeds allowed: the oldest tab lets go of its feed
instead of reconnecting (no tug of war), and the newer tabs still light up live."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ember.db import unit_of_work
from ember.models import Alert
from tests.factories import make_user
from tests.trigger_support import make_contact

pytestmark = pytest.mark.browser


def test_the_oldest_tab_gives_way_and_the_others_stay_live(page, server_url, engine, settings) -> None:
    rep = make_user(engine, "rep@ember.example", password="correct horse")
    contact_id = make_contact(engine, rep.id, "nora@prospect.example")
    browser = page.context.browser.new_context()  # one browser window, many tabs sharing the login
    first = browser.new_page()
    first.goto(f"{server_url}/login")
    first.fill("input[name=email]", "rep@ember.example")
    first.fill("input[name=password]", "correct horse")
    first.click("button[type=submit]")
    first.wait_for_url(f"{server_url}/")
    tabs = [first]
    for _ in range(settings.alerts.alert_streams_per_user):
        tab = browser.new_page()
        tab.goto(f"{server_url}/contacts")
        tabs.append(tab)
    tabs[-1].wait_for_timeout(5000)  # long enough for a closed feed to have reconnected twice (retry: 2 s)
    with unit_of_work(engine) as session:
        session.add(Alert(dedup_key="tabs", contact_id=contact_id, rep_id=rep.id, summary="visited the pricing page",
                          status="pending", attempts=0, created_at=datetime.now(UTC)))
    for tab in tabs[1:]:
        tab.locator("#alert-count").wait_for(state="visible", timeout=10_000)
        assert "Nora Quinn visited the pricing page" in (tab.text_content("#live-alert") or "")
    assert tabs[0].locator("#alert-count").is_hidden()
    browser.close()
