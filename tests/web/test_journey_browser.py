"""A rep's day in a real browser, from login to the nurture list, without the CLI:
work Today by keyboard, log a gatekeeper and see the next touch appear in place, add a call's transcript
and read its picture, mark a promise done and give another a new date, add a person to a deal and set
someone's say in it, see an alert arrive live and mark it seen, and log a "no" that puts the contact on
the nurture list."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from tests.browser_support import log_in
from tests.factories import make_user
from tests.trigger_support import drain, event, make_source, signed

from ember.db import unit_of_work
from ember.messages.service import ensure_defaults
from ember.models import Account, Contact, Deal, DealStakeholder, MessageVariant, NextStep, PlannedTouch

pytestmark = pytest.mark.browser

CALL = Path(__file__).parents[1] / "calls" / "discovery_call.vtt"


def _day(engine, rep_id: int) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """The morning's work: an overdue first call, a promise made on an earlier call, a contact who will say no."""
    now = datetime.now(UTC)
    with unit_of_work(engine) as session:
        ensure_defaults(session)
        variant = session.scalar(select(MessageVariant.id).where(MessageVariant.key == "gk-ftc-1"))
        account = Account(name="Nordwerk GmbH", owner_id=rep_id, timezone="Europe/Berlin", country="DE")
        session.add(account)
        session.flush()
        people = {}
        for first, last in (("Maren", "Holt"), ("Jonas", "Berger"), ("Ida", "Lind")):
            person = Contact(owner_id=rep_id, account_id=account.id, first_name=first, last_name=last,
                             email=f"{first.lower()}@nordwerk.example", phone="+49 30 1234567",
                             timezone="Europe/Berlin", country="DE", created_at=now - timedelta(days=40))
            session.add(person)
            session.flush()
            people[first] = person.id
        plan = PlannedTouch(contact_id=people["Maren"], rep_id=rep_id, kind="ftc", channel="call",
                            due_at=now - timedelta(days=2), label="FTC #1", purpose="Get a first conversation",
                            message_variant_id=variant, reason="First attempt: nobody reached yet.")
        step = NextStep(contact_id=people["Jonas"], rep_id=rep_id, type="documents", owner_side="rep",
                        due_at=now - timedelta(hours=3), quote="I'll send you the security paper tomorrow.")
        later = NextStep(contact_id=people["Ida"], rep_id=rep_id, type="email", owner_side="rep",
                         due_at=now - timedelta(hours=1), quote="I'll write up the pricing for you.")
        deal = Deal(owner_id=rep_id, account_id=account.id, name="Nordwerk rollout", stage="discovery",
                    qualification={})
        session.add_all([plan, step, later, deal])
        session.flush()
        session.add_all([DealStakeholder(deal_id=deal.id, contact_id=people["Maren"]),
                         DealStakeholder(deal_id=deal.id, contact_id=people["Jonas"])])
        return {**people, "plan": plan.id, "step": step.id, "later": later.id, "deal": deal.id}



def test_a_reps_day_in_the_browser(page, server_url, engine, settings) -> None:
    rep = make_user(engine, "sam@ember.example", password="correct horse")
    day = _day(engine, rep.id)
    log_in(page, server_url, rep.email)

    # Today, by keyboard: j moves to the overdue call, l opens its log form; a gatekeeper is logged in place.
    page.click("nav.mainnav >> text=Today")
    page.wait_for_load_state("load")  # the keys are wired once the deferred script has run
    page.evaluate("window.notReloaded = true")
    page.keyboard.press("j")
    current = page.locator("[data-item].is-current")
    assert current.get_attribute("id") == f"row-ftc-{day['plan']}"
    page.keyboard.press("l")
    form = page.locator(f"#f-log-{day['plan']}")
    form.wait_for(state="visible")
    form.locator("select[name=outcome]").select_option("gatekeeper")
    form.locator("button[type=submit]").click()
    done = page.locator(".done-item").first
    done.wait_for()
    assert re.search(r"Logged FTC #1 \(gatekeeper\)", done.text_content() or "")
    assert "Next: FTC #2" in (done.locator(".next-touch").text_content() or "")  # the next touch, no reload
    assert page.evaluate("window.notReloaded") is True

    # The promise from an earlier call is kept: marked done where it sits.
    page.locator(f"#row-step-{day['step']} button", has_text="Mark done").click()
    page.wait_for_selector("text=Marked done.")

    # A promise that will slip gets a new date from the picker on its row, and leaves today's list.
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date()
    page.locator(f"#row-step-{day['later']} summary", has_text="New date").click()
    picker = page.locator(f"#f-redate-{day['later']}")
    picker.locator("input[name=due]").fill(tomorrow.isoformat())
    picker.locator("button[type=submit]").click()
    page.wait_for_selector(f"text=Now due {tomorrow:%a %d %b}.")
    assert page.evaluate("window.notReloaded") is True
    page.reload()
    assert page.locator(f"#row-step-{day['later']}").count() == 0

    # Someone new joins the deal from its page, with their role; Jonas turns out to decide.
    page.goto(f"{server_url}/deals/{day['deal']}")
    page.click("#add-person")
    page.fill("input[name=first_name]", "Lena")
    page.fill("input[name=last_name]", "Vogt")
    page.fill("input[name=email]", "lena@nordwerk.example")
    page.fill("input[name=timezone]", "Europe/Berlin")
    page.select_option("select[name=decision_role]", "influencer")
    page.click("#new-contact button[type=submit]")
    page.wait_for_url(re.compile(r"/contacts/\d+$"))
    assert "Lena Vogt added to Nordwerk rollout." in (page.text_content("main") or "")
    page.goto(f"{server_url}/deals/{day['deal']}")
    assert "Lena Vogt" in (page.text_content("#stakeholders") or "")
    role = page.locator(f"#f-role-{day['deal']}-{day['Jonas']}")
    role.locator("select[name=role]").select_option("decision_maker")
    role.locator("button[type=submit]").click()
    page.wait_for_selector("text=Role on this deal set to decision maker.")
    assert page.locator(f"#f-role-{day['deal']}-{day['Jonas']} select[name=role]").input_value() == "decision_maker"

    # A call with Maren goes in from her page; its page draws who talked when.
    page.goto(f"{server_url}/contacts/{day['Maren']}")
    page.click("#add-call summary")
    page.set_input_files("#add-call input[name=file]", str(CALL))
    page.click("#add-call button[type=submit]")
    page.wait_for_url(re.compile(r"/calls/\d+$"))
    assert "Call with Maren Holt" in (page.text_content("h1") or "")
    assert page.locator(".speaker-timeline rect.bar.rep").count() > 0
    assert page.locator(".speaker-timeline rect.bar.prospect").count() > 0
    assert page.locator(".speaker-timeline .mark-question").count() > 0
    first_quote = page.locator("#next-steps a.quote-link").first
    target = (first_quote.get_attribute("href") or "").lstrip("#")
    first_quote.click()
    assert page.evaluate("location.hash") == f"#{target}" and page.locator(f"#{target}").is_visible()

    # An alert arrives while the inbox is open: it shows up at once and is marked seen.
    page.click("nav.mainnav >> text=Alerts")
    page.wait_for_function("() => document.getElementById('alert-count') !== null")
    secret = make_source(engine)
    raw, headers = signed(secret, event(id_="pricing-visit", email="ida@nordwerk.example"), msg_id="visit-1")
    assert httpx.post(f"{server_url}/events", content=raw, headers=headers).status_code == 202
    drain(settings)  # the worker's job: the trigger rule fires and raises the alert
    row = page.locator("#alert-list li.unseen").first
    row.wait_for(timeout=30_000)
    assert "Ida Lind" in (row.text_content() or "")
    page.wait_for_function("() => document.getElementById('alert-count').textContent === '1'")
    row.locator("button", has_text="Mark seen").click()
    page.wait_for_selector("#alert-list li.unseen", state="detached")  # the row now reads "seen"
    page.wait_for_function("() => document.getElementById('alert-count').hidden")  # and the badge is gone

    # Jonas says no on a call: he leaves the follow-up and appears on the nurture list.
    page.goto(f"{server_url}/contacts/{day['Jonas']}")
    log = page.locator("form[action$='/touches']").first
    log.locator("select[name=channel]").select_option("call")
    log.locator("select[name=outcome]").select_option("said-no")
    log.locator("button[type=submit]").click()
    page.wait_for_load_state()
    page.click("nav.mainnav >> text=Nurture")
    entry = page.locator(f"#nurture-{day['Jonas']}")
    assert "Jonas Berger" in (entry.text_content() or "") and "said no" in (entry.text_content() or "")
