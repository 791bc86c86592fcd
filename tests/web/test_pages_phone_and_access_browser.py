"""Every main page on a phone (390 px: no sideways scrolling) and for a screen reader (axe: no serious or
critical violation), with real records on them: a deal, a recorded call, an alert, someone on the nurture list."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, log_in, require_chromium
from tests.factories import make_user
from tests.trigger_support import drain, event, make_contact, make_source, signed

from ember.db import unit_of_work
from ember.models import Contact, Deal, DealStakeholder

pytestmark = pytest.mark.browser

CALL = Path(__file__).parents[1] / "calls" / "discovery_call.vtt"


# The deepest element that sticks out on the right: what to fix when a page is too wide.
WIDEST = """[...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > innerWidth + 1)
  .map(e => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ').join('.') : '')).pop()"""


def _records(client, engine, settings, rep) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with unit_of_work(engine) as session:
        contact = Contact(owner_id=rep.id, first_name="Marco", last_name="Ruiz-Villanueva de la Cruz",
                          email="marco.ruiz-villanueva@harbor-logistics-international.example", phone="+1 312 555 0100",
                          title="Vice President, Operations and Logistics", timezone="America/Chicago", country="US")
        deal = Deal(owner_id=rep.id, name="Harbor Logistics International – Enterprise rollout, phase two",
                    stage="discovery", amount=Decimal("148000"), qualification={})
        session.add_all([contact, deal])
        session.flush()
        session.add(DealStakeholder(deal_id=deal.id, contact_id=contact.id, role="decision_maker", is_primary=True))
        ids = {"contact": contact.id, "deal": deal.id}
    call = client.post("/api/calls", headers=rep.headers,
                       data={"contact_id": str(ids["contact"]), "deal_id": str(ids["deal"])},
                       files={"file": ("discovery_call.vtt", CALL.read_bytes(), "text/vtt")})
    assert call.status_code == 201, call.text
    ids["call"] = call.json()["call_id"]
    make_contact(engine, rep.id, "nora@prospect.example", nurture=True)
    make_contact(engine, rep.id, "ola@prospect.example", first="Ola", last="Berg")
    secret = make_source(engine)
    raw, headers = signed(secret, event(id_="v1", email="ola@prospect.example", at=datetime.now(UTC)), msg_id="v1")
    assert client.post("/events", content=raw, headers=headers).status_code == 202
    drain(settings)
    return ids


def test_main_pages_fit_a_phone_and_pass_axe(client, engine, settings, server_url) -> None:
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    require_chromium()
    rep = make_user(engine, "dana@acme.example", password="correct horse")
    ids = _records(client, engine, settings, rep)
    pages = ["/today", "/contacts", f"/contacts/{ids['contact']}", f"/contacts/{ids['contact']}/compose",
             "/deals", f"/deals/{ids['deal']}", "/calls", f"/calls/{ids['call']}", "/calls/new", "/alerts",
             "/nurture", "/deals/999999", "/contacts/new", f"/contacts/new?deal={ids['deal']}",
             "/settings/mailbox", "/calls/recording"]
    axe = Axe()
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            for width, height in ((390, 844), (1366, 900)):
                page = browser.new_page(viewport={"width": width, "height": height})
                page.set_default_timeout(30_000)
                log_in(page, server_url, rep.email)
                for path in pages:
                    page.goto(f"{server_url}{path}")
                    page.wait_for_selector("main h1")
                    if width == 390:
                        wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                        if wide > 0:
                            problems.append(f"{path}: {wide} px wider than a 390 px phone, at {page.evaluate(WIDEST)}")
                        continue
                    for violation in axe.run(page).response["violations"]:
                        if violation["impact"] in ("serious", "critical"):
                            nodes = "; ".join(n["target"][0] for n in violation["nodes"][:3])
                            problems.append(f"{path}: {violation['id']} ({violation['impact']}) at {nodes}")
                page.close()
            docs = browser.new_page()
            docs.goto(f"{server_url}/docs")
            docs.wait_for_selector(".opblock", timeout=30_000)  # Swagger UI drew the API with no internet
        finally:
            browser.close()
    assert not problems, "\n".join(problems)
