"""Contacts through the JSON API: checked fields, a full round trip, one contact per address."""

from __future__ import annotations

from tests.factories import make_user


def test_invalid_fields_are_named_and_nothing_is_created(client, engine) -> None:
    rep = make_user(engine, "rep@ember.example")
    response = client.post("/api/contacts", headers=rep.headers,
                           json={"email": "not-an-email", "timezone": "Mars/Base", "country": "Atlantis"})
    assert response.status_code == 422
    where = {p["where"] for p in response.json()["error"]["problems"]}
    assert {"field email", "field timezone", "field country"} <= where
    assert client.get("/api/contacts", headers=rep.headers).json() == []


def test_contact_crud_round_trip(client, engine) -> None:
    rep = make_user(engine, "rep@ember.example")
    created = client.post("/api/contacts", headers=rep.headers, json={
        "email": "Jane.Doe@Acme.example", "first_name": "Jane", "country": "Germany", "timezone": "Europe/Berlin",
        "decision_role": "influencer"}).json()
    assert created["email"] == "jane.doe@acme.example" and created["country"] == "DE"
    updated = client.patch(f"/api/contacts/{created['id']}", headers=rep.headers,
                           json={"decision_role": "decision_maker"}).json()
    assert updated["decision_role"] == "decision_maker"
    duplicate = client.post("/api/contacts", headers=rep.headers, json={"email": "jane.doe@acme.example"})
    assert duplicate.status_code == 409
    assert client.delete(f"/api/contacts/{created['id']}", headers=rep.headers).status_code == 204
    assert client.get(f"/api/contacts/{created['id']}", headers=rep.headers).status_code == 404
