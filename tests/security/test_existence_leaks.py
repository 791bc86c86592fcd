"""A rep learns nothing about records they cannot see from how Ember answers: the same answer
whether the other record exists or not, and imports neither change nor link other people's records."""

from __future__ import annotations

import io
from typing import Any

from sqlalchemy import select

from ember.db import unit_of_work
from ember.models import Account, Contact, Deal
from tests.factories import TestUser, make_user


def _import(client, user: TestUser, kind: str, csv: str, **params: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    response = client.post(f"/api/import/{kind}", headers=user.headers, params=params,
                           files={"file": (f"{kind}.csv", io.BytesIO(csv.encode()), "text/csv")})
    assert response.status_code == 200, response.text
    return dict(response.json())


def _people(client, engine):  # type: ignore[no-untyped-def]
    rep = make_user(engine, "rep@ember.example", team="East")
    teammate = make_user(engine, "mate@ember.example", team="East")
    rival = make_user(engine, "rival@ember.example", team="West")
    with unit_of_work(engine) as session:
        account = Account(name="Rival Corp", domain="rival.example", external_id="ACC-R", owner_id=rival.id)
        session.add(account)
        session.flush()
        session.add_all([Contact(owner_id=rival.id, first_name="Rhea", last_name="Secret", email="rhea@rival.example",
                                 account_id=account.id),
                         Deal(owner_id=rival.id, name="Rival renewal", external_id="D-R", qualification={},
                              account_id=account.id)])
    client.post("/api/contacts", headers=rep.headers, json={"email": "mine@own.example"})
    return rep, teammate, rival


def test_an_email_in_use_gets_one_answer_whoever_holds_it(client, engine) -> None:
    rep, _, _ = _people(client, engine)
    others = client.post("/api/contacts", headers=rep.headers, json={"email": "rhea@rival.example"})
    own = client.post("/api/contacts", headers=rep.headers, json={"email": "mine@own.example"})
    assert others.status_code == own.status_code == 409
    assert others.json() == own.json()
    assert "rhea" not in others.text.lower() and "rival" not in others.text.lower()
    mine = client.get("/api/contacts", headers=rep.headers).json()[0]["id"]
    patched = client.patch(f"/api/contacts/{mine}", headers=rep.headers, json={"email": "rhea@rival.example"})
    assert patched.status_code == 409 and patched.json() == others.json()


def test_a_domain_in_use_gets_one_answer_whoever_holds_it(client, engine) -> None:
    rep, _, _ = _people(client, engine)
    assert client.post("/api/accounts", headers=rep.headers, json={"name": "Own", "domain": "own.example"}).is_success
    others = client.post("/api/accounts", headers=rep.headers, json={"name": "X", "domain": "rival.example"})
    own = client.post("/api/accounts", headers=rep.headers, json={"name": "X", "domain": "own.example"})
    assert others.status_code == own.status_code == 409 and others.json() == own.json()


def test_today_of_an_unknown_and_of_another_teams_user_look_the_same(client, engine) -> None:
    rep, teammate, _ = _people(client, engine)
    manager = make_user(engine, "boss@ember.example", role="manager", team="East")
    for caller in (rep, manager):
        known = client.get("/api/today", params={"rep": "rival@ember.example"}, headers=caller.headers)
        unknown = client.get("/api/today", params={"rep": "ghost@ember.example"}, headers=caller.headers)
        assert known.status_code == unknown.status_code == 404
        assert known.text.replace("rival@", "ghost@") == unknown.text
    assert client.get("/api/today", params={"rep": teammate.email}, headers=manager.headers).status_code == 200


def test_import_owner_names_say_nothing_about_who_exists_and_rows_stay_with_the_rep(client, engine) -> None:
    rep, teammate, _rival = _people(client, engine)
    report = _import(client, rep, "contacts", "email,owner\n"
                     "a@new.example,rival@ember.example\nb@new.example,ghost@ember.example\n"
                     f"c@new.example,{teammate.email}\n")
    assert report["created"] == 3 and report["rejected"] == 0
    warnings = " ".join(report["warnings"])
    assert warnings.count("is not a user you can assign records to") == 3
    with unit_of_work(engine) as session:
        owners = set(session.scalars(select(Contact.owner_id).where(Contact.email.like("%@new.example"))))
    assert owners == {rep.id}  # a rep assigns only to themselves
    named = [client.post("/api/import/contacts", headers=rep.headers, params={"owner": owner},
                         files={"file": ("c.csv", io.BytesIO(b"email\nd@new.example\n"), "text/csv")})
             for owner in ("rival@ember.example", "ghost@ember.example")]
    assert named[0].status_code == named[1].status_code == 422
    assert named[0].text.replace("rival@", "ghost@") == named[1].text


def test_an_import_never_changes_or_links_another_reps_records(client, engine) -> None:
    rep, _, _rival = _people(client, engine)
    accounts = _import(client, rep, "accounts", "name,domain,external_id\nHijacked,rival.example,\n"
                                                "Hijacked too,,ACC-R\n")
    deals = _import(client, rep, "deals", "name,external_id\nHijacked deal,D-R\n")
    _import(client, rep, "contacts", "email,company,company domain\nnew@lead.example,Rival Corp,rival.example\n")
    touches = _import(client, rep, "touches", "contact,channel,outcome,date,deal id\n"
                                              "mine@own.example,call,no-answer,2026-01-05,D-R\n")
    assert accounts["rejected"] == 2 and deals["rejected"] == 1 and touches["rejected"] == 1
    assert "rival" not in str(accounts).lower() + str(deals).lower() + str(touches).lower()
    with unit_of_work(engine) as session:
        assert {a.name for a in session.scalars(select(Account))} == {"Rival Corp"}
        assert [d.name for d in session.scalars(select(Deal))] == ["Rival renewal"]
        lead = session.scalar(select(Contact).where(Contact.email == "new@lead.example"))
        assert lead is not None and lead.account_id is None and lead.owner_id == rep.id
