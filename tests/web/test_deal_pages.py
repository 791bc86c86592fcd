"""The pipeline and the deal page: what a rep sees, what they may change, and what they may not see."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from tests.factories import make_user
from tests.web.page_support import BROWSER, log_in

from ember.db import unit_of_work
from ember.models import Contact, Deal, DealStakeholder, Touch


def _deals(engine, owner_id: int) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with unit_of_work(engine) as session:
        falcon = Deal(owner_id=owner_id, name="Falcon rollout", stage="proposal", amount=Decimal("48000"),
                      qualification={})
        heron = Deal(owner_id=owner_id, name="Heron pilot", stage="discovery", amount=Decimal("9000"),
                     qualification={})
        ann = Contact(owner_id=owner_id, first_name="Ann", last_name="Lee", email="ann@falcon.example")
        session.add_all([falcon, heron, ann])
        session.flush()
        session.add(DealStakeholder(deal_id=falcon.id, contact_id=ann.id, role="champion", is_primary=True))
        base = datetime(2026, 3, 1, 10, tzinfo=UTC)
        session.add_all([Touch(contact_id=ann.id, deal_id=falcon.id, rep_id=owner_id, channel="email",
                               outcome="email-sent", occurred_at=base + timedelta(days=i), label=f"follow-up #{i + 1}")
                         for i in range(5)])
        return {"falcon": falcon.id, "heron": heron.id, "ann": ann.id}


def test_the_pipeline_shows_stage_amount_follow_ups_and_stalled_deals(client, engine) -> None:
    rep = make_user(engine, "rep@ember.example", password="correct horse")
    ids = _deals(engine, rep.id)
    log_in(client, rep.email)
    page = client.get("/deals", headers=BROWSER).text
    assert "Falcon rollout" in page and "Heron pilot" in page and "$48,000" in page
    # Five follow-ups without moving on: the deal is flagged stalled.
    stalled = client.get("/deals?stalled=1", headers=BROWSER).text
    assert "Falcon rollout" in stalled and "Heron pilot" not in stalled
    only_discovery = client.get("/deals?stage=discovery", headers=BROWSER).text
    assert "Heron pilot" in only_discovery and "Falcon rollout" not in only_discovery
    nothing = client.get("/deals?q=Osprey", headers=BROWSER).text
    assert "No deal matches &#39;Osprey&#39;" in nothing
    deal = client.get(f"/deals/{ids['falcon']}", headers=BROWSER).text
    assert "Ann Lee" in deal and "champion" in deal and "follow-up #5" in deal


def test_a_stage_change_from_the_page_and_a_lost_deal_needs_a_reason(client, engine) -> None:
    rep = make_user(engine, "rep@ember.example", password="correct horse")
    ids = _deals(engine, rep.id)
    token = log_in(client, rep.email)
    refused = client.post(f"/deals/{ids['heron']}/stage", data={"stage": "closed_lost", "csrf": token},
                          headers=BROWSER)
    assert refused.status_code == 422 and "say why the deal was lost" in refused.text
    moved = client.post(f"/deals/{ids['heron']}/stage", data={"stage": "demo", "csrf": token}, headers=BROWSER)
    assert moved.status_code == 200 and "Heron pilot is now at stage demo" in moved.text
    lost = client.post(f"/deals/{ids['heron']}/stage",
                       data={"stage": "closed_lost", "reason": "chose a competitor", "csrf": token}, headers=BROWSER)
    assert "chose a competitor" in lost.text
    with unit_of_work(engine) as session:
        deal = session.get(Deal, ids["heron"])
        assert deal is not None and deal.stage == "closed_lost" and deal.outcome == "lost"


def test_another_reps_deal_is_not_found(client, engine) -> None:
    owner = make_user(engine, "owner@ember.example")
    ids = _deals(engine, owner.id)
    other = make_user(engine, "other@ember.example", team="West", password="correct horse")
    token = log_in(client, other.email)
    page = client.get(f"/deals/{ids['falcon']}", headers=BROWSER)
    assert page.status_code == 404 and "Not found" in page.text and "<nav" in page.text
    assert "Falcon rollout" not in client.get("/deals", headers=BROWSER).text
    change = client.post(f"/deals/{ids['falcon']}/stage", data={"stage": "demo", "csrf": token}, headers=BROWSER)
    assert change.status_code == 404
