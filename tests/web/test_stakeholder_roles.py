"""Someone's say in a deal, set from the deal page or their contact page: checked, kept in the audit
trail, and shown with the words from the call when a recorded call decided it."""

from __future__ import annotations

from sqlalchemy import select
from tests.factories import make_user
from tests.web.page_support import BROWSER, log_in

from ember.db import unit_of_work
from ember.models import AuditEntry, Contact, Deal, DealStakeholder


def _deal(engine, rep_id: int) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    with unit_of_work(engine) as session:
        lena = Contact(owner_id=rep_id, first_name="Lena", last_name="Vogt", email="lena@kiel.example",
                       decision_role="decision_maker", decision_role_source="analysis",
                       decision_role_evidence="In the end the budget is my call.")
        piet = Contact(owner_id=rep_id, first_name="Piet", last_name="Jansen", email="piet@kiel.example")
        deal = Deal(owner_id=rep_id, name="Kiel rollout", stage="discovery", qualification={})
        session.add_all([lena, piet, deal])
        session.flush()
        session.add_all([DealStakeholder(deal_id=deal.id, contact_id=lena.id, role="decision_maker"),
                         DealStakeholder(deal_id=deal.id, contact_id=piet.id)])
        return deal.id, lena.id, piet.id


def _role(engine, deal_id: int, contact_id: int) -> str | None:  # type: ignore[no-untyped-def]
    with unit_of_work(engine) as session:
        return session.scalar(select(DealStakeholder.role).where(DealStakeholder.deal_id == deal_id,
                                                                 DealStakeholder.contact_id == contact_id))


def test_a_role_is_set_from_the_deal_page_and_the_contact_page_and_audited(client, engine) -> None:
    rep = make_user(engine, "rep@ember.example", password="correct horse")
    deal_id, lena, piet = _deal(engine, rep.id)
    token = log_in(client, rep.email)
    deal_page = client.get(f"/deals/{deal_id}", headers=BROWSER).text
    assert f'id="f-role-{deal_id}-{piet}"' in deal_page
    assert "said on a call: “In the end the budget is my call.”" in deal_page  # the role came from a call
    set_here = client.post(f"/deals/{deal_id}/people/{piet}/role", headers=BROWSER, follow_redirects=False,
                           data={"csrf": token, "role": "influencer", "back": f"/deals/{deal_id}#stakeholders"})
    assert set_here.headers["location"] == f"/deals/{deal_id}#stakeholders"
    assert _role(engine, deal_id, piet) == "influencer"
    assert "Role on this deal set to influencer." in client.get(f"/deals/{deal_id}", headers=BROWSER).text
    contact_page = client.get(f"/contacts/{piet}", headers=BROWSER).text
    assert f'id="f-role-{deal_id}-{lena}"' in contact_page and "said on a call" in contact_page
    client.post(f"/deals/{deal_id}/people/{lena}/role", headers=BROWSER,
                data={"csrf": token, "role": "champion", "back": f"/contacts/{piet}#deals"})
    assert _role(engine, deal_id, lena) == "champion"
    # The rep's choice replaces the call's: its quote no longer stands behind the role shown.
    assert "said on a call" not in client.get(f"/deals/{deal_id}", headers=BROWSER).text
    with unit_of_work(engine) as session:
        trail = session.scalars(select(AuditEntry).where(AuditEntry.target_type == "stakeholder")).all()
        assert {tuple(e.changes["role"]) for e in trail} == {("unknown", "influencer"),
                                                              ("decision_maker", "champion")}
        assert all(e.actor_id == rep.id for e in trail)


def test_a_bad_role_or_someone_elses_deal_changes_nothing(client, engine) -> None:
    rep = make_user(engine, "rep@ember.example", password="correct horse")
    other = make_user(engine, "west@ember.example", team="West", password="correct horse")
    deal_id, lena, piet = _deal(engine, rep.id)
    token = log_in(client, rep.email)
    bad = client.post(f"/deals/{deal_id}/people/{piet}/role", headers=BROWSER,
                      data={"csrf": token, "role": "emperor", "back": f"/deals/{deal_id}"})
    assert "Not changed: &#39;emperor&#39; is not a decision role" in bad.text and "decision_maker" in bad.text
    assert _role(engine, deal_id, piet) == "unknown"
    token = log_in(client, other.email)
    hidden = client.post(f"/deals/{deal_id}/people/{lena}/role", headers=BROWSER,
                         data={"csrf": token, "role": "end_user"})
    assert hidden.status_code == 404 and "Lena" not in hidden.text
    assert _role(engine, deal_id, lena) == "decision_maker"
