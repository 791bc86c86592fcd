"""Next steps have a life: done, cancelled, re-dated, through the API and the CLI; a done step
leaves Today, and an undated one reaches Today after the default number of days."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

from ember.db import unit_of_work
from ember.models import NextStep
from tests.factories import make_user
from tests.today.support import seed_today


def _log_in(client, email: str) -> str:  # type: ignore[no-untyped-def]
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)  # type: ignore[union-attr]
    client.post("/login", data={"email": email, "password": "correct horse", "csrf": token})
    return re.search(r'name="csrf" value="([^"]+)"', client.get("/today").text).group(1)  # type: ignore[union-attr]


def test_steps_are_listed_done_cancelled_and_redated_through_the_api(client, engine) -> None:
    rep = make_user(engine, "rep@ember.example")
    other = make_user(engine, "west@ember.example", team="West")
    data = seed_today(engine, rep.id)
    listed = client.get("/api/steps", headers=rep.headers).json()
    assert [s["id"] for s in listed] == [data.step] and listed[0]["due_is_default"] is False
    assert client.post(f"/api/steps/{data.step}/done", headers=other.headers).status_code == 404
    done = client.post(f"/api/steps/{data.step}/done", headers=rep.headers)
    assert done.status_code == 200 and done.json()["status"] == "done"
    assert client.post(f"/api/steps/{data.step}/done", headers=rep.headers).status_code == 409
    assert client.get("/api/steps", headers=rep.headers).json() == []
    assert not any(i["kind"] == "next_step" for i in client.get("/api/today", headers=rep.headers).json())
    refused = client.patch(f"/api/steps/{data.step}", headers=rep.headers, json={"due_at": "2031-01-01T10:00:00Z"})
    assert refused.status_code == 409 and "re-open" in refused.text
    client.post(f"/api/steps/{data.step}/reopen", headers=rep.headers)
    moved = client.patch(f"/api/steps/{data.step}", headers=rep.headers, json={"due_at": "2031-01-01T10:00:00Z"})
    assert moved.status_code == 200 and moved.json()["due_at"].startswith("2031-01-01")
    cancelled = client.post(f"/api/steps/{data.step}/cancel", headers=rep.headers).json()
    assert cancelled["status"] == "cancelled"
    assert [s["status"] for s in client.get("/api/steps?status=", headers=rep.headers).json()] == ["cancelled"]


def test_an_undated_step_reaches_today_after_the_default_days(client, engine) -> None:
    rep = make_user(engine, "rep@ember.example", password="correct horse")
    data = seed_today(engine, rep.id)
    with unit_of_work(engine) as session:
        fresh = NextStep(contact_id=data.contacts["Ida"], rep_id=rep.id, type="email", owner_side="prospect",
                         quote="We'll get back to you with the numbers.")
        old = NextStep(contact_id=data.contacts["Ida"], rep_id=rep.id, type="pricing", owner_side="rep",
                       quote="I'll price the larger plan.", created_at=datetime.now(UTC) - timedelta(days=8))
        session.add_all([fresh, old])
        session.flush()
        fresh_id, old_id = fresh.id, old.id
    steps = {s["id"]: s for s in client.get("/api/steps", headers=rep.headers).json()}
    assert steps[fresh_id]["due_is_default"] and steps[fresh_id]["due_at"] > datetime.now(UTC).isoformat()
    _log_in(client, rep.email)
    page = client.get("/today").text
    assert f'id="row-step-{old_id}"' in page and f'id="row-step-{fresh_id}"' not in page
    assert "no date agreed" in page and "1 day late" in page


def test_the_cli_lists_and_closes_steps(ember, engine) -> None:
    rep = make_user(engine, "rep@ember.example")
    data = seed_today(engine, rep.id)
    listed = ember("steps", "list", "--as", rep.email, "--json")
    assert listed.exit_code == 0 and [s["id"] for s in json.loads(listed.stdout)] == [data.step]
    assert "documents" in ember("steps", "list", "--as", rep.email).stdout
    done = ember("steps", "done", str(data.step), "--as", rep.email)
    assert done.exit_code == 0 and "is now done" in done.stdout
    again = ember("steps", "cancel", str(data.step), "--as", rep.email)
    assert again.exit_code == 0 and "cancelled" in again.stdout
    assert json.loads(ember("steps", "list", "--as", rep.email, "--json").stdout) == []
    assert ember("steps", "done", "999999", "--as", rep.email).exit_code == 1


def test_a_day_before_today_needs_confirming_through_the_api(client, engine) -> None:
    rep = make_user(engine, "rep@ember.example")
    data = seed_today(engine, rep.id)
    last_week = (datetime.now(UTC) - timedelta(days=7)).replace(microsecond=0).isoformat()
    refused = client.patch(f"/api/steps/{data.step}", headers=rep.headers, json={"due_at": last_week})
    assert refused.status_code == 422 and "in the past" in refused.text and "confirm" in refused.text
    moved = client.patch(f"/api/steps/{data.step}", headers=rep.headers,
                         json={"due_at": last_week, "confirm_past": True})
    assert moved.status_code == 200 and moved.json()["due_at"].startswith(last_week[:10])
