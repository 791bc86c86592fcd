"""Deals through the JSON API."""

from __future__ import annotations

from tests.factories import make_user


def test_closed_stage_and_outcome_must_agree(client, engine) -> None:
    rep = make_user(engine, "rep@ember.example")
    response = client.post("/api/deals", headers=rep.headers,
                           json={"name": "Big one", "stage": "closed_won", "outcome": "lost"})
    assert response.status_code == 422
    assert response.json()["error"]["problems"][0]["where"] == "outcome"

