"""Accounts through the JSON API: one account per domain and per CRM id, owned accounts stay private."""

from __future__ import annotations

from tests.factories import make_user


def test_a_domain_or_crm_id_already_used_is_refused_and_nothing_changes(client, engine) -> None:
    rep = make_user(engine, "rep@ember.example")
    first = client.post("/api/accounts", headers=rep.headers,
                        json={"name": "Nordwerk", "domain": "Nordwerk.example", "external_id": "crm-1"})
    assert first.status_code == 201, first.text
    assert first.json()["domain"] == "nordwerk.example"

    same_domain = client.post("/api/accounts", headers=rep.headers, json={"name": "Copy", "domain": "nordwerk.example"})
    same_crm_id = client.post("/api/accounts", headers=rep.headers, json={"name": "Other", "external_id": "crm-1"})

    assert same_domain.status_code == 409
    assert same_domain.json()["error"]["problems"][0]["where"] == "domain"
    assert same_crm_id.status_code == 409
    assert same_crm_id.json()["error"]["problems"][0]["where"] == "external_id"
    assert [a["name"] for a in client.get("/api/accounts", headers=rep.headers).json()] == ["Nordwerk"]
    # The account may keep its own domain when it is edited.
    kept = client.patch(f"/api/accounts/{first.json()['id']}", headers=rep.headers,
                        json={"domain": "nordwerk.example", "industry": "Machinery"})
    assert kept.status_code == 200 and kept.json()["industry"] == "Machinery"


def test_an_owned_account_is_hidden_from_another_team(client, engine) -> None:
    east = make_user(engine, "east@ember.example", team="East")
    west = make_user(engine, "west@ember.example", team="West")
    owned = client.post("/api/accounts", headers=east.headers, json={"name": "Private GmbH"}).json()

    assert client.get(f"/api/accounts/{owned['id']}", headers=west.headers).status_code == 404
    assert client.get("/api/accounts", headers=west.headers).json() == []
    assert client.get(f"/api/accounts/{owned['id']}", headers=east.headers).json()["name"] == "Private GmbH"
