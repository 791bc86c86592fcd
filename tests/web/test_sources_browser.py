"""Event sources and trigger rules in a real browser: an admin makes a Calendly source, copies what is shown
once, opens the how-to, rotates the secret; a manager previews a rule before adding it. axe on each page."""

from __future__ import annotations

import re

import pytest
from tests.browser_support import log_in, serious_axe_violations
from tests.desk_support import PASSWORD
from tests.factories import make_user

from ember.db import unit_of_work
from ember.models import EventSource

pytestmark = pytest.mark.browser




def test_an_admin_connects_a_scheduling_tool_and_rotates_its_secret(page, server_url, engine) -> None:  # type: ignore[no-untyped-def]
    make_user(engine, "admin@ember.example", role="admin", team=None, password=PASSWORD)
    log_in(page, server_url, "admin@ember.example")
    page.goto(f"{server_url}/settings")
    page.click(".desk-nav >> text=Event sources")
    page.wait_for_url(re.compile(r"/settings/sources$"))
    assert serious_axe_violations(page) == []

    page.fill("#add-source input[name=name]", "meetings")
    page.select_option("#add-source select[name=kind]", "calendly")
    page.click("#add-source button[type=submit]")
    page.wait_for_selector("#shown-once")
    secret = page.text_content("#source-secret") or ""
    assert page.text_content("#source-address") == f"{server_url}/hooks/meetings"
    assert "invitee.created" in (page.text_content("#created-source") or "")
    with unit_of_work(engine) as session:
        assert session.query(EventSource).filter_by(name="meetings").one().provider_secret == secret
    assert serious_axe_violations(page) == []

    page.goto(f"{server_url}/settings/sources")
    assert secret not in page.content()  # shown once only
    row = page.locator("#source-meetings")
    assert "nothing yet" in (row.text_content() or "")
    row.locator("summary").click()  # the how-to folds open
    assert row.locator("ol.steps").is_visible()
    row.get_by_role("button", name="Rotate the secret of meetings").click()
    page.wait_for_selector("#shown-once")
    rotated = page.text_content("#source-secret") or ""
    assert rotated and rotated != secret and "no longer works" in (page.text_content("#created-source") or "")


def test_a_manager_previews_a_rule_then_adds_it(page, server_url, engine) -> None:  # type: ignore[no-untyped-def]
    make_user(engine, "maya@ember.example", role="manager", team="East", password=PASSWORD)
    log_in(page, server_url, "maya@ember.example")
    page.goto(f"{server_url}/settings/rules")
    page.fill("#add-rule input[name=name]", "Pricing twice")
    page.fill("#add-rule input[name=url_pattern]", "*/pricing*")
    page.fill("#add-rule input[name=min_count]", "2")
    page.click("#add-rule button[value=preview]")
    page.wait_for_selector("#rule-preview")
    assert "Nothing was saved" in (page.text_content("#rule-preview") or "")
    assert page.input_value("#add-rule input[name=name]") == "Pricing twice"  # the form kept what was typed
    assert serious_axe_violations(page) == []
    page.click("#add-rule button[value=save]")
    page.wait_for_selector("text=Rule “Pricing twice” added")
    assert page.locator("#rules >> text=Pricing twice").count() == 1
