"""Adding a call from the pages and reading its picture: timeline, benchmarks, findings linked to the transcript."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import func, select
from tests.factories import make_user
from tests.web.page_support import BROWSER, log_in

from ember.db import unit_of_work
from ember.models import Call, Contact, Deal, DealStakeholder, Touch

CALL = Path(__file__).parents[1] / "calls" / "discovery_call.vtt"


def _contact(engine, rep_id: int) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    with unit_of_work(engine) as session:
        contact = Contact(owner_id=rep_id, first_name="Marco", last_name="Ruiz", email="marco@harbor.example",
                          timezone="America/Chicago", country="US")
        deal = Deal(owner_id=rep_id, name="Harbor pilot", stage="discovery", qualification={})
        session.add_all([contact, deal])
        session.flush()
        session.add(DealStakeholder(deal_id=deal.id, contact_id=contact.id))
        return contact.id, deal.id


def _stored(engine) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    with unit_of_work(engine) as session:
        return (session.scalar(select(func.count()).select_from(Call)) or 0,
                session.scalar(select(func.count()).select_from(Touch)) or 0)


def test_a_transcript_added_from_the_page_gives_a_call_page_with_its_picture(client, engine) -> None:
    rep = make_user(engine, "dana@acme.example", password="correct horse")
    contact_id, deal_id = _contact(engine, rep.id)
    token = log_in(client, rep.email)
    for place in (f"/deals/{deal_id}", f"/contacts/{contact_id}", "/calls"):  # wherever a rep is, the call goes in
        assert "Add a call from its transcript" in client.get(place, headers=BROWSER).text, place
    response = client.post("/calls", headers=BROWSER, data={"csrf": token, "contact_id": str(contact_id),
                                                            "deal_id": str(deal_id), "at": "2026-03-04T15:00"},
                           files={"file": ("discovery_call.vtt", CALL.read_bytes(), "text/vtt")})
    assert response.status_code == 200, response.text[-2000:]
    page = response.text
    assert "Call with" in page and "Marco Ruiz" in page and "found." in page
    # The speaker timeline is drawn on the server: one lane per speaker, bars, marks linked to the transcript.
    svg = page[page.index("speaker-timeline"):]
    svg = svg[:svg.index("</svg>")]
    assert svg.count('class="lane"') == 2 and 'class="bar rep"' in svg and 'class="bar prospect"' in svg
    assert 'class="mark-question"' in svg and 'class="mark-step"' in svg
    anchors = set(re.findall(r'id="(t\d+)"', page))
    linked = set(re.findall(r'class="quote-link" href="#(t\d+)"', page))
    assert linked and linked <= anchors  # every quote points at a place in the readable transcript
    assert "Against the benchmarks" in page and re.search(r"badge verdict-(good|warn|bad)", page)
    listing = client.get("/calls", headers=BROWSER).text
    assert "Marco Ruiz" in listing and "Harbor pilot" in listing


def test_a_bad_file_shows_the_parsers_error_on_the_form_and_stores_nothing(client, engine) -> None:
    rep = make_user(engine, "dana@acme.example", password="correct horse")
    contact_id, _ = _contact(engine, rep.id)
    token = log_in(client, rep.email)
    broken = b"WEBVTT\n\n00:00:01.000 --> banana\nDana: hello\n"
    response = client.post("/calls", headers=BROWSER, data={"csrf": token, "contact_id": str(contact_id)},
                           files={"file": ("broken.vtt", broken, "text/vtt")})
    assert response.status_code == 422
    assert "Nothing was stored" in response.text and "line 3" in response.text
    assert 'name="file"' in response.text  # the form is there to try again
    assert _stored(engine) == (0, 0)
    unknown = client.post("/calls", headers=BROWSER, data={"csrf": token, "contact_email": "nobody@x.example"},
                          files={"file": ("call.vtt", CALL.read_bytes(), "text/vtt")})
    assert unknown.status_code == 422 and "no contact with email nobody@x.example" in unknown.text
    assert _stored(engine) == (0, 0)


def test_another_reps_call_is_not_found(client, engine) -> None:
    rep = make_user(engine, "dana@acme.example", password="correct horse")
    contact_id, _ = _contact(engine, rep.id)
    token = log_in(client, rep.email)
    client.post("/calls", headers=BROWSER, data={"csrf": token, "contact_id": str(contact_id)},
                files={"file": ("discovery_call.vtt", CALL.read_bytes(), "text/vtt")})
    with unit_of_work(engine) as session:
        call_id = session.scalar(select(Call.id))
    other = make_user(engine, "lee@acme.example", team="West", password="correct horse")
    client.post("/logout", data={"csrf": token})
    log_in(client, other.email)
    hidden = client.get(f"/calls/{call_id}", headers=BROWSER)
    assert hidden.status_code == 404 and f"Call {call_id} not found" in hidden.text and "Contact " not in hidden.text
    assert "Marco Ruiz" not in client.get("/calls", headers=BROWSER).text
