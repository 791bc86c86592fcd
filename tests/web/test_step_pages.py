"""Next steps live from every page that lists them: done, won't happen and a new date on the contact,
deal and call pages (each comes back to its page), and from a Today row in place."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select
from tests.factories import make_user
from tests.today.support import seed_today
from tests.web.page_support import BROWSER, log_in

from ember.db import unit_of_work
from ember.models import Contact, Deal, DealStakeholder, NextStep

HERE = ZoneInfo("UTC")  # the test users' own time zone
CALL = Path(__file__).parents[1] / "calls" / "discovery_call.vtt"


def _call_with_steps(client, engine, rep_id: int, token: str) -> tuple[int, int, list[int]]:  # type: ignore[no-untyped-def]
    with unit_of_work(engine) as session:
        contact = Contact(owner_id=rep_id, first_name="Marco", last_name="Ruiz", email="marco@harbor.example",
                          timezone="America/Chicago", country="US")
        deal = Deal(owner_id=rep_id, name="Harbor pilot", stage="discovery", qualification={})
        session.add_all([contact, deal])
        session.flush()
        session.add(DealStakeholder(deal_id=deal.id, contact_id=contact.id))
        deal_id = deal.id
    response = client.post("/calls", headers=BROWSER, data={"csrf": token, "contact_id": str(contact.id),
                                                            "deal_id": str(deal_id), "at": "2026-03-04T15:00"},
                           files={"file": ("discovery_call.vtt", CALL.read_bytes(), "text/vtt")},
                           follow_redirects=False)
    call_id = int(response.headers["location"].rsplit("/", 1)[1])
    with unit_of_work(engine) as session:
        steps = list(session.scalars(select(NextStep.id).where(NextStep.call_id == call_id).order_by(NextStep.id)))
    assert len(steps) >= 3, "the fixture call agrees at least three next steps"
    return deal_id, call_id, steps


def _step(engine, step_id: int) -> NextStep:  # type: ignore[no-untyped-def]
    with unit_of_work(engine) as session:
        step = session.get(NextStep, step_id)
        assert step is not None
        session.expunge(step)
        return step


def test_done_cancel_and_a_new_date_work_from_the_deal_call_and_contact_pages(client, engine) -> None:
    rep = make_user(engine, "dana@acme.example", password="correct horse")
    token = log_in(client, rep.email)
    deal_id, call_id, steps = _call_with_steps(client, engine, rep.id, token)
    contact_id = _step(engine, steps[0]).contact_id
    next_week = (datetime.now(UTC) + timedelta(days=7)).date()
    for page, step_id in ((f"/deals/{deal_id}", steps[0]), (f"/calls/{call_id}", steps[1]),
                          (f"/contacts/{contact_id}", steps[2])):
        html = client.get(page, headers=BROWSER).text
        for form in (f'id="f-done-{step_id}"', f'id="f-cancel-{step_id}"', f'id="f-redate-{step_id}"'):
            assert form in html, (page, form)
        moved = client.post(f"/today/steps/{step_id}/redate", headers=BROWSER, follow_redirects=False,
                            data={"csrf": token, "due": next_week.isoformat(), "back": page})
        assert moved.status_code == 303 and moved.headers["location"] == page
        assert f"now due {next_week:%a %d %b}" in client.get(page, headers=BROWSER).text
        due = _step(engine, step_id).due_at
        assert due is not None and due.astimezone(HERE).date() == next_week
    client.post(f"/today/steps/{steps[0]}/done", headers=BROWSER, data={"csrf": token, "back": f"/deals/{deal_id}"})
    client.post(f"/today/steps/{steps[1]}/cancel", headers=BROWSER, data={"csrf": token, "back": f"/calls/{call_id}"})
    assert (_step(engine, steps[0]).status, _step(engine, steps[1]).status) == ("done", "cancelled")
    assert f'id="f-done-{steps[0]}"' not in client.get(f"/deals/{deal_id}", headers=BROWSER).text  # closed: no actions
    # A page of our own only: an address elsewhere is not followed.
    away = client.post(f"/today/steps/{steps[2]}/redate", headers=BROWSER, follow_redirects=False,
                       data={"csrf": token, "due": next_week.isoformat(), "back": "//evil.example/"})
    assert away.headers["location"] == "/today"


def test_a_day_in_the_past_needs_confirming_and_a_bad_date_changes_nothing(client, engine) -> None:
    rep = make_user(engine, "rep@ember.example", password="correct horse")
    data = seed_today(engine, rep.id)
    token = log_in(client, rep.email)
    before = _step(engine, data.step).due_at
    contact = f"/contacts/{data.contacts['Jonas']}"
    last_week = (datetime.now(HERE) - timedelta(days=7)).date()
    refused = client.post(f"/today/steps/{data.step}/redate", headers=BROWSER,
                          data={"csrf": token, "due": last_week.isoformat(), "back": contact})
    assert "Not done: the new date is in the past" in refused.text and "confirm" in refused.text
    nonsense = client.post(f"/today/steps/{data.step}/redate", headers=BROWSER,
                           data={"csrf": token, "due": "next blursday", "back": contact})
    assert "is not a date" in nonsense.text
    assert _step(engine, data.step).due_at == before
    client.post(f"/today/steps/{data.step}/redate", headers=BROWSER,
                data={"csrf": token, "due": last_week.isoformat(), "confirm_past": "on", "back": contact})
    due = _step(engine, data.step).due_at
    assert due is not None and due.astimezone(HERE).date() == last_week


def test_a_new_date_from_a_today_row_moves_the_step_out_of_today(client, engine) -> None:
    rep = make_user(engine, "rep@ember.example", password="correct horse")
    data = seed_today(engine, rep.id)
    token = log_in(client, rep.email)
    assert f'id="row-step-{data.step}"' in client.get("/today", headers=BROWSER).text
    tomorrow = (datetime.now(HERE) + timedelta(days=1)).date()
    fragment = client.post(f"/today/steps/{data.step}/redate", data={"csrf": token, "due": tomorrow.isoformat()},
                           headers={"HX-Request": "true", "HX-Trigger": f"f-redate-{data.step}"})
    assert fragment.status_code == 200 and f"Now due {tomorrow:%a %d %b}." in fragment.text
    assert f'id="row-step-{data.step}"' not in client.get("/today", headers=BROWSER).text
    past = client.post(f"/today/steps/{data.step}/redate", data={"csrf": token, "due": "2020-01-01"},
                       headers={"HX-Request": "true", "HX-Trigger": f"f-redate-{data.step}"})
    assert past.status_code == 422 and past.headers["HX-Retarget"] == f"#f-redate-{data.step} .form-error"
