"""One contact's page: their local time, the planned message in plain words with our company filled in,
deals, next steps that can be closed, one timeline, and editing (role with evidence, do-not-contact)."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select

from ember.db import unit_of_work
from ember.models import Alert, Contact, MessageVariant, PlannedTouch
from tests.factories import make_user
from tests.today.support import seed_today


def _log_in(client, email: str) -> str:  # type: ignore[no-untyped-def]
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)  # type: ignore[union-attr]
    client.post("/login", data={"email": email, "password": "correct horse", "csrf": token})
    return re.search(r'name="csrf" value="([^"]+)"', client.get("/today").text).group(1)  # type: ignore[union-attr]


def test_the_contact_page_reads_as_plain_words(client, engine) -> None:
    rep = make_user(engine, "rep@ember.example", password="correct horse", team="Harborlight Sales")
    data = seed_today(engine, rep.id)
    with unit_of_work(engine) as session:
        session.add(Alert(dedup_key="a1", contact_id=data.contacts["Maren"], rep_id=rep.id,
                          summary="looked at the pricing page"))
    _log_in(client, rep.email)
    page = client.get(f"/contacts/{data.contacts['Maren']}").text
    message = re.search(r'id="plan-message">([^<]+)<', page).group(1)  # type: ignore[union-attr]
    assert "Harborlight Sales" in message and "{" not in message  # {rep_company} from the team's name
    assert "their time:" in page and "Europe/Berlin" in page
    assert "looked at the pricing page" in page and "Nordwerk GmbH" in page
    jonas = client.get(f"/contacts/{data.contacts['Jonas']}").text
    assert "security paper" in jonas and f'/today/steps/{data.step}/done' in jonas


def test_editing_a_contact_and_marking_do_not_contact(client, engine) -> None:
    rep = make_user(engine, "rep@ember.example", password="correct horse")
    data = seed_today(engine, rep.id)
    token = _log_in(client, rep.email)
    maren = data.contacts["Maren"]
    form = {"csrf": token, "first_name": "Maren", "last_name": "Berger", "email": "maren@nordwerk.example",
            "timezone": "Europe/Berlin", "decision_role": "decision_maker",
            "decision_role_evidence": "I sign off anything under fifty thousand."}
    saved = client.post(f"/contacts/{maren}/edit", data=form, follow_redirects=False)
    assert saved.status_code == 303
    page = client.get(f"/contacts/{maren}").text
    assert "decision role: decision maker" in page and "Contact saved." in page
    bad = client.post(f"/contacts/{maren}/edit", data=form | {"timezone": "Mars/Olympus"})
    assert bad.status_code == 422 and "not an IANA time zone" in bad.text
    client.post(f"/contacts/{maren}/edit", data=form | {"do_not_contact": "on"})
    with unit_of_work(engine) as session:
        contact = session.get(Contact, maren)
        assert contact is not None and contact.status == "do-not-contact" and contact.decision_role_source == "manual"
        planned = session.scalars(select(PlannedTouch).where(PlannedTouch.contact_id == maren,
                                                             PlannedTouch.status == "planned")).all()
        assert planned == []
    other = make_user(engine, "west@ember.example", team="West", password="correct horse")
    token = _log_in(client, other.email)
    assert client.get(f"/contacts/{maren}").status_code == 404
    assert client.post(f"/contacts/{maren}/edit", data=form | {"csrf": token}).status_code == 404


def test_the_planned_message_names_the_agreed_step_in_words_not_the_raw_sentence(client, engine) -> None:
    rep = make_user(engine, "rep@ember.example", password="correct horse", team="Harborlight Sales")
    data = seed_today(engine, rep.id)
    jonas = data.contacts["Jonas"]
    with unit_of_work(engine) as session:
        session.execute(delete(PlannedTouch).where(PlannedTouch.contact_id == jonas))
        variant = session.scalar(select(MessageVariant.id).where(MessageVariant.key == "vm-fu-3"))
        session.add(PlannedTouch(contact_id=jonas, rep_id=rep.id, kind="follow_up", channel="call",
                                 due_at=datetime.now(UTC) + timedelta(hours=2), label="follow-up #3",
                                 purpose="Check the paper arrived", message_variant_id=variant, reason="test"))
    _log_in(client, rep.email)
    page = client.get(f"/contacts/{jonas}").text
    message = html.unescape(re.search(r'id="plan-message">([^<]+)<', page).group(1))  # type: ignore[union-attr]
    assert "Where do things stand on the security paper from me?" in message, message
    assert "i'll send" not in message.lower()
