"""Adding a contact from the pages: from the list, a company or a deal; checked as the API checks it;
a taken address is answered without telling anything about someone else's contact."""

from __future__ import annotations

from sqlalchemy import func, select
from tests.factories import make_user
from tests.web.page_support import BROWSER, log_in

from ember.db import unit_of_work
from ember.models import Account, Contact, Deal, DealStakeholder


def _count(engine) -> int:  # type: ignore[no-untyped-def]
    with unit_of_work(engine) as session:
        return session.scalar(select(func.count()).select_from(Contact)) or 0


def _form(token: str, **values: str) -> dict[str, str]:
    return {"csrf": token, "first_name": "Lena", "last_name": "Vogt", "email": "lena@kiel.example",
            "title": "Head of Operations", "phone": "+49 431 555 0101", "mobile_phone": "+49 151 555 0102",
            "timezone": "Europe/Berlin", "country": "DE", "decision_role": "decision_maker"} | values


def test_a_rep_adds_a_contact_from_the_list_and_finds_them(client, engine) -> None:
    rep = make_user(engine, "rep@ember.example", password="correct horse")
    token = log_in(client, rep.email)
    assert 'href="/contacts/new"' in client.get("/contacts", headers=BROWSER).text
    assert 'name="email"' in client.get("/contacts/new", headers=BROWSER).text
    added = client.post("/contacts/new", headers=BROWSER, data=_form(token), follow_redirects=False)
    assert added.status_code == 303
    page = client.get(added.headers["location"], headers=BROWSER).text
    assert "Lena Vogt added." in page and "Head of Operations" in page and "Europe/Berlin" in page
    with unit_of_work(engine) as session:
        lena = session.scalar(select(Contact).where(Contact.email == "lena@kiel.example"))
        assert lena is not None and lena.owner_id == rep.id and lena.mobile_phone == "+49 151 555 0102"
        assert lena.decision_role == "decision_maker" and lena.phone_key  # the dialer can match the number


def test_bad_boxes_are_named_next_to_the_box_and_nothing_is_added(client, engine) -> None:
    rep = make_user(engine, "rep@ember.example", password="correct horse")
    token = log_in(client, rep.email)
    bad = client.post("/contacts/new", headers=BROWSER,
                      data=_form(token, email="not-an-address", timezone="Mars/Olympus", country="Atlantis"))
    assert bad.status_code == 422
    assert 'id="error-email"' in bad.text and 'id="error-timezone"' in bad.text and 'id="error-country"' in bad.text
    assert "not an IANA time zone" in bad.text
    assert 'value="Lena"' in bad.text  # what the rep typed is still there to correct
    missing = client.post("/contacts/new", headers=BROWSER, data=_form(token, email=""))
    assert missing.status_code == 422 and 'id="error-email"' in missing.text
    wrong_company = client.post("/contacts/new", headers=BROWSER, data=_form(token, account_id="banana"))
    assert wrong_company.status_code == 422 and 'id="error-account_id"' in wrong_company.text
    assert _count(engine) == 0


def test_a_taken_address_says_so_and_leaks_nothing_about_other_reps(client, engine) -> None:
    rep = make_user(engine, "rep@ember.example", password="correct horse")
    other = make_user(engine, "west@ember.example", team="West", password="correct horse")
    with unit_of_work(engine) as session:
        session.add(Contact(owner_id=other.id, first_name="Secret", last_name="Prospect", email="taken@x.example",
                            title="Chief Secret Officer"))
        session.add(Contact(owner_id=rep.id, first_name="Mine", last_name="Already", email="mine@x.example"))
    token = log_in(client, rep.email)
    theirs = client.post("/contacts/new", headers=BROWSER, data=_form(token, email="taken@x.example"))
    assert theirs.status_code == 409 and "already used by another contact" in theirs.text
    for secret in ("Secret", "Prospect", "Chief Secret Officer", "west@ember.example"):
        assert secret not in theirs.text
    assert 'id="existing-contact"' not in theirs.text
    mine = client.post("/contacts/new", headers=BROWSER, data=_form(token, email="mine@x.example"))
    assert mine.status_code == 409 and 'id="existing-contact"' in mine.text  # their own: a link to open it
    assert _count(engine) == 2


def test_a_contact_added_from_a_deal_joins_it_with_their_role_and_company(client, engine) -> None:
    rep = make_user(engine, "rep@ember.example", password="correct horse")
    other = make_user(engine, "west@ember.example", team="West", password="correct horse")
    with unit_of_work(engine) as session:
        account = Account(name="Kiel Freight", owner_id=rep.id, timezone="Europe/Berlin", country="DE")
        hidden = Account(name="West Only", owner_id=other.id)
        session.add_all([account, hidden])
        session.flush()
        deal = Deal(owner_id=rep.id, name="Kiel rollout", stage="discovery", qualification={}, account_id=account.id)
        session.add(deal)
        session.flush()
        account_id, hidden_id, deal_id = account.id, hidden.id, deal.id
    token = log_in(client, rep.email)
    assert f'href="/contacts/new?deal={deal_id}"' in client.get(f"/deals/{deal_id}", headers=BROWSER).text
    form = client.get(f"/contacts/new?deal={deal_id}", headers=BROWSER).text
    assert "Kiel rollout" in form and f'<option value="{account_id}" selected>Kiel Freight' in form
    assert "West Only" not in form
    assert client.get(f"/contacts/new?account={hidden_id}", headers=BROWSER).status_code == 404
    refused = client.post("/contacts/new", headers=BROWSER, data=_form(token, account_id=str(hidden_id)))
    assert refused.status_code == 404 and _count(engine) == 0
    client.post("/contacts/new", headers=BROWSER,
                data=_form(token, account_id=str(account_id), deal_id=str(deal_id), decision_role="influencer"))
    with unit_of_work(engine) as session:
        lena = session.scalar(select(Contact).where(Contact.email == "lena@kiel.example"))
        assert lena is not None and lena.account_id == account_id
        role = session.scalar(select(DealStakeholder.role).where(DealStakeholder.deal_id == deal_id,
                                                                  DealStakeholder.contact_id == lena.id))
        assert role == "influencer"
    assert "Lena Vogt" in client.get(f"/deals/{deal_id}", headers=BROWSER).text
