"""A rep works Today in a real browser: by keyboard, with every row action in place (no reload)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from tests.browser_support import log_in, serious_axe_violations
from tests.factories import make_user
from tests.today.support import seed_today

from ember.models import NextStep, PlannedTouch

pytestmark = pytest.mark.browser



def test_a_rep_works_today_by_keyboard_and_in_place(page, server_url, engine) -> None:
    rep = make_user(engine, "sam@ember.example", password="correct horse")
    data = seed_today(engine, rep.id)
    log_in(page, server_url, rep.email)
    page.goto(f"{server_url}/today")
    page.evaluate("window.notReloaded = true")
    assert "Overdue" in page.text_content("#group-overdue h2")
    assert page.text_content("#group-overdue .count") == "2"
    overdue = page.locator(f"#row-ftc-{data.plans['overdue']}")
    assert "9 days late" in overdue.text_content()
    preview = overdue.locator(".preview").text_content()
    assert "Maren" in preview and "{" not in preview and "Sam" in preview
    assert overdue.locator("a[href^='tel:']").count() == 1
    assert page.locator(f"#row-ftc-{data.plans['email']} a[href^='mailto:']").count() == 1

    # Keyboard: j moves to the first row, l opens its log form with the cursor on the outcome.
    page.keyboard.press("j")
    current = page.locator("[data-item].is-current")
    assert current.get_attribute("id") == f"row-ftc-{data.plans['overdue']}"
    page.keyboard.press("l")
    form = current.locator("form[id^='f-log-']")
    form.wait_for(state="visible")
    assert form.locator("select[name=channel]").input_value() == "call"  # the planned channel
    assert form.locator("select[name=outcome]").input_value() == ""  # never a silent "conversation"
    assert page.evaluate("document.activeElement.name") == "outcome"

    # "Not now" without a call-back date: the reason shows in the form, the row stays.
    form.locator("select[name=outcome]").select_option("not-now")
    form.locator("button[type=submit]").click()
    page.wait_for_selector(f"#f-log-{data.plans['overdue']} .form-error [role=alert]")
    assert "call-back" in form.locator(".form-error").text_content()

    # A gatekeeper: the row turns into what happened and the next touch planned, without a reload.
    form.locator("select[name=outcome]").select_option("gatekeeper")
    form.locator("button[type=submit]").click()
    result = page.locator(".done-item").first
    result.wait_for()
    assert re.search(r"Logged FTC #\d+ \(gatekeeper\)", result.text_content())
    assert "Next: FTC #" in result.locator(".next-touch").text_content()
    assert page.evaluate("window.notReloaded") is True

    # A promise from a call: mark it done in place.
    page.locator(f"#row-step-{data.step} button", has_text="Mark done").click()
    page.wait_for_selector("text=Marked done.")

    # Snooze the email to a chosen time, skip the other call with a reason.
    email_row = page.locator(f"#row-ftc-{data.plans['email']}")
    email_row.locator("summary", has_text="Snooze").click()
    until = datetime.now(UTC) + timedelta(days=20)  # the rep's time zone is UTC
    email_row.locator("input[name=until]").fill(f"{until:%Y-%m-%d}T09:30")
    email_row.locator("button", has_text="Snooze").last.click()
    page.wait_for_selector(f"text=Snoozed until {until:%a %d %b} 09:30")
    later_row = page.locator(f"#row-ftc-{data.plans['later']}")
    later_row.locator("summary", has_text="Skip").click()
    later_row.locator("input[name=reason]").fill("Jonas is on holiday this week")
    later_row.locator("button", has_text="Skip it").click()
    page.wait_for_selector("text=Skipped.")
    assert page.evaluate("window.notReloaded") is True

    with Session(engine) as session:
        assert session.get(NextStep, data.step).status == "done"  # type: ignore[union-attr]
        skipped = session.get(PlannedTouch, data.plans["later"])
        assert skipped is not None and skipped.status == "skipped" and "on holiday" in skipped.reason
        snoozed = session.get(PlannedTouch, data.plans["email"])
        assert snoozed is not None and snoozed.due_at.date() == until.date()
        replanned = session.scalars(select(PlannedTouch).where(
            PlannedTouch.contact_id == data.contacts["Jonas"], PlannedTouch.status == "planned")).all()
        assert replanned, "skipping plans the next attempt"

    # After a reload the done promise and the snoozed email are gone from Today.
    page.reload()
    assert page.locator(f"#row-step-{data.step}").count() == 0
    assert page.locator(f"#row-ftc-{data.plans['email']}").count() == 0


def test_compose_from_a_row_and_the_page_passes_axe(page, server_url, engine) -> None:
    rep = make_user(engine, "sam@ember.example", password="correct horse")
    data = seed_today(engine, rep.id, overdue=14)
    log_in(page, server_url, rep.email)
    page.goto(f"{server_url}/today")
    # Ten rows a group, then "show more" in place.
    overdue = page.locator("#group-overdue")
    assert overdue.locator("[data-item]").count() == 10
    overdue.locator("a", has_text="Show more").click()
    overdue.locator("[data-item]").nth(14).wait_for()
    assert overdue.locator("[data-item]").count() == 15 and overdue.locator("a", has_text="Show more").count() == 0
    # The stale backlog is offered in one action with its count.
    assert "Re-plan my overdue (1)" in page.text_content("#replan-overdue")

    assert serious_axe_violations(page) == []

    page.locator(f"#row-ftc-{data.plans['overdue']} a[data-compose]").click()
    page.wait_for_url(re.compile(rf"/contacts/{data.contacts['Maren']}/compose"))

    page.goto(f"{server_url}/today")
    page.click("#replan-overdue")
    assert "Re-planned 1 contact with old overdue touches" in page.text_content("#flash")
    assert page.locator("#replan-overdue").count() == 0
    assert page.locator(f"#row-ftc-{data.plans['overdue']}").count() == 0
