"""The nurture list: said-no contacts, manual adds and removals, CSV export, no calls."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from ember.db import unit_of_work
from ember.models import NurtureMembership, PlannedTouch
from tests.factories import make_user
from tests.trigger_support import make_contact


def test_said_no_contact_is_listed_and_exported(client, engine) -> None:
    rep = make_user(engine, "rep@ember.example")
    other = make_user(engine, "other@ember.example")
    contact = client.post("/api/contacts", headers=rep.headers,
                          json={"email": "nora@prospect.example", "first_name": "Nora", "last_name": "Quinn"}).json()
    client.post("/api/contacts", headers=other.headers, json={"email": "hidden@else.example"})
    touch = client.post("/api/touches", headers=rep.headers,
                        json={"contact_id": contact["id"], "channel": "call", "outcome": "said-no"})
    assert touch.status_code == 201, touch.text
    listed = client.get("/api/nurture", headers=rep.headers).json()
    assert [(e["email"], e["reason"]) for e in listed] == [("nora@prospect.example", "said-no")]
    assert client.get("/api/nurture", headers=other.headers).json() == []
    export = client.get("/api/nurture/export", headers=rep.headers)
    assert export.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(export.text)))
    assert rows[0]["email"] == "nora@prospect.example" and rows[0]["first_name"] == "Nora"
    with unit_of_work(engine) as session:
        planned = session.scalars(select(PlannedTouch).where(PlannedTouch.contact_id == contact["id"],
                                                             PlannedTouch.status == "planned")).all()
    assert planned == []  # no calls and no sequence emails


def test_add_and_remove_by_hand(client, engine) -> None:
    rep = make_user(engine, "rep@ember.example")
    contact_id = make_contact(engine, rep.id, "nora@prospect.example")
    added = client.post("/api/nurture", headers=rep.headers, json={"contact_id": contact_id, "note": "asked for Q3"})
    assert added.status_code == 201 and added.json()["status"] == "nurture"
    again = client.post("/api/nurture", headers=rep.headers, json={"contact_id": contact_id})
    assert again.status_code == 409 and "already" in again.json()["error"]["message"]
    assert client.get("/api/nurture", headers=rep.headers).json()[0]["note"] == "asked for Q3"
    assert client.delete(f"/api/nurture/{contact_id}", headers=rep.headers).status_code == 204
    assert client.get("/api/nurture", headers=rep.headers).json() == []
    with unit_of_work(engine) as session:
        membership = session.scalar(select(NurtureMembership).where(NurtureMembership.contact_id == contact_id))
    assert membership is not None and (membership.reason, membership.ended_reason) == ("manual", "manual")
