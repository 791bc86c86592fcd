"""The touch log end to end: labels, message rotation, planning, "no" handling,
through the API and the CLI, on a real database."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine

from tests.factories import make_user

# A Monday, 10:00 in Berlin.
MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _contact(client, rep, **fields) -> int:  # type: ignore[no-untyped-def]
    body = {"email": "maren@nordwerk.example", "first_name": "Maren", "country": "DE",
            "timezone": "Europe/Berlin", "phone": "+49 30 1234567"} | fields
    response = client.post("/api/contacts", headers=rep.headers, json=body)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def _log(client, rep, contact_id: int, channel: str, outcome: str, **extra) -> dict:  # type: ignore[no-untyped-def]
    response = client.post("/api/touches", headers=rep.headers,
                           json={"contact_id": contact_id, "channel": channel, "outcome": outcome} | extra)
    assert response.status_code == 201, response.text
    return response.json()


@time_machine.travel(MONDAY, tick=False)
def test_ftc_attempts_rotate_messages_then_a_conversation_starts_follow_ups(client, engine) -> None:
    rep = make_user(engine, "rep@ember.example")
    contact = _contact(client, rep)
    first = _log(client, rep, contact, "call", "gatekeeper")
    second = _log(client, rep, contact, "call", "voicemail")
    third = _log(client, rep, contact, "email", "email-sent")
    assert [t["touch"]["label"] for t in (first, second, third)] == ["FTC #1", "FTC #2", "FTC #3"]
    proposed = [first["next"]["variant"], second["next"]["variant"], third["next"]["variant"]]
    assert len(set(proposed)) == 3 and None not in proposed
    used = [first["touch"]["variant"], second["touch"]["variant"], third["touch"]["variant"]]
    assert len(set(used)) == 3 and None not in used

    talk = _log(client, rep, contact, "call", "conversation")
    assert talk["touch"]["label"] == "FTC #4"  # the attempt that got through is still an FTC attempt
    plan = talk["next"]
    assert plan["label"] == "follow-up #1"
    local = datetime.fromisoformat(plan["at"])
    assert local.utcoffset() == timedelta(hours=1)  # Berlin in March, before the change to summer time
    assert (local.weekday() in (2, 3, 4) and local.hour == 16) or local.hour == 8
    assert "Berlin" in plan["reason"]


@time_machine.travel(MONDAY, tick=False)
def test_said_no_moves_the_contact_to_nurture_with_nothing_planned(client, engine) -> None:
    rep = make_user(engine, "rep@ember.example")
    contact = _contact(client, rep)
    _log(client, rep, contact, "call", "conversation")
    result = _log(client, rep, contact, "call", "said-no")
    assert result["contact_status"] == "nurture" and result["next"] is None
    nurture = client.get("/api/contacts?status=nurture", headers=rep.headers).json()
    assert [c["id"] for c in nurture] == [contact]
    assert client.get("/api/today", headers=rep.headers).json() == []


@time_machine.travel(MONDAY, tick=False)
def test_not_now_plans_the_callback_on_the_date_said(client, engine) -> None:
    rep = make_user(engine, "rep@ember.example")
    contact = _contact(client, rep)
    result = _log(client, rep, contact, "call", "not-now", callback_at="2026-04-15T10:00:00+02:00")
    due = datetime.fromisoformat(result["next"]["at"]).astimezone(ZoneInfo("Europe/Berlin"))
    assert due.date() >= datetime(2026, 4, 15).date() and due.date() <= datetime(2026, 4, 17).date()


@time_machine.travel(MONDAY, tick=False)
def test_backdated_and_deleted_touches_renumber(client, engine) -> None:
    rep = make_user(engine, "rep@ember.example")
    contact = _contact(client, rep)
    a = _log(client, rep, contact, "call", "no-answer", occurred_at="2026-02-26T10:00:00+00:00",
             confirm_date=True)
    b = _log(client, rep, contact, "call", "no-answer", occurred_at="2026-02-27T10:00:00+00:00",
             confirm_date=True)
    _log(client, rep, contact, "call", "gatekeeper", occurred_at="2026-02-25T10:00:00+00:00",
             confirm_date=True)  # back-dated
    labels = {t["id"]: t["label"] for t in client.get(f"/api/contacts/{contact}/touches", headers=rep.headers).json()}
    assert labels[a["touch"]["id"]] == "FTC #2" and labels[b["touch"]["id"]] == "FTC #3"
    assert client.delete(f"/api/touches/{a['touch']['id']}", headers=rep.headers).status_code == 204
    labels = {t["id"]: t["label"] for t in client.get(f"/api/contacts/{contact}/touches", headers=rep.headers).json()}
    assert labels[b["touch"]["id"]] == "FTC #2"


def test_unknown_outcome_and_channel_are_refused_and_nothing_is_logged(client, engine) -> None:
    rep = make_user(engine, "rep@ember.example")
    contact = _contact(client, rep)
    bad = client.post("/api/touches", headers=rep.headers,
                      json={"contact_id": contact, "channel": "call", "outcome": "maybe"})
    assert bad.status_code == 422 and "said-no" in bad.json()["error"]["problems"][0]["fix"]
    assert client.get(f"/api/contacts/{contact}/touches", headers=rep.headers).json() == []


def test_cli_scenario_with_json(ember, engine, tmp_path) -> None:
    ember("users", "add", "sam@acme.example", "--name", "Sam", "--timezone", "America/New_York")
    leads = tmp_path / "leads.csv"
    leads.write_text("Email,First Name,Country/Region,Time Zone,Phone Number\n"
                     "lea@lumen.example,Lea,France,Europe/Paris,+33 1 2345\n")
    assert ember("import", "contacts", str(leads), "--owner", "sam@acme.example").exit_code == 0
    labels, variants = [], []
    for channel, outcome in (("call", "gatekeeper"), ("voicemail", "voicemail"), ("email", "email-sent")):
        result = ember("touch", "log", "--as", "sam@acme.example", "--contact", "lea@lumen.example",
                       "--channel", channel, "--outcome", outcome, "--json")
        assert result.exit_code == 0, result.stderr
        data = json.loads(result.stdout)
        labels.append(data["touch"]["label"])
        variants.append(data["next"]["variant"])
    assert labels == ["FTC #1", "FTC #2", "FTC #3"] and len(set(variants)) == 3
    said_no = json.loads(ember("touch", "log", "--as", "sam@acme.example", "--contact", "lea@lumen.example",
                               "--channel", "call", "--outcome", "said-no", "--json").stdout)
    assert said_no["contact_status"] == "nurture" and said_no["next"] is None
    today = json.loads(ember("today", "--as", "sam@acme.example", "--json").stdout)
    assert today == []


def test_touch_history_imports_from_csv_with_labels_and_a_plan(client, engine) -> None:
    rep = make_user(engine, "rep@ember.example")
    contact = _contact(client, rep)
    csv = ("Contact,Channel,Outcome,Date,Notes\n"
           "maren@nordwerk.example,call,gatekeeper,2026-02-02T09:00:00+01:00,assistant took a message\n"
           "maren@nordwerk.example,call,voicemail,2026-02-04T16:10:00+01:00,\n"
           "maren@nordwerk.example,call,conversation,2026-02-06T16:20:00+01:00,interested in a demo\n")
    with time_machine.travel("2026-02-09T08:00:00+00:00", tick=False):
        response = client.post("/api/import/touches", headers=rep.headers,
                               files={"file": ("touches.csv", csv.encode(), "text/csv")})
    assert response.status_code == 200, response.text
    assert response.json()["created"] == 3
    touches = client.get(f"/api/contacts/{contact}/touches", headers=rep.headers).json()
    assert [t["label"] for t in touches] == ["FTC #3", "FTC #2", "FTC #1"]
    with time_machine.travel("2026-02-20T08:00:00+00:00", tick=False):
        queue = client.get("/api/today", headers=rep.headers).json()
    assert queue and queue[0]["label"] == "follow-up #1" and queue[0]["overdue"]


def test_touch_csv_with_unknown_contact_or_outcome_imports_the_valid_rows_or_nothing(client, engine) -> None:
    rep = make_user(engine, "rep@ember.example")
    contact = _contact(client, rep)
    csv = ("contact,channel,outcome,occurred_at\n"
           "maren@nordwerk.example,call,gatekeeper,2026-02-02T09:00:00+01:00\n"
           "nobody@nowhere.example,call,gatekeeper,2026-02-02T09:00:00+01:00\n"
           "maren@nordwerk.example,call,maybe,2026-02-02T09:00:00+01:00\n")
    response = client.post("/api/import/touches?all_or_nothing=true", headers=rep.headers,
                           files={"file": ("touches.csv", csv.encode(), "text/csv")})
    assert response.status_code == 422
    where = [p["where"] for p in response.json()["error"]["problems"]]
    assert where == ["line 3, column contact", "line 4, column outcome"]
    assert client.get(f"/api/contacts/{contact}/touches", headers=rep.headers).json() == []
    partial = client.post("/api/import/touches", headers=rep.headers,
                          files={"file": ("touches.csv", csv.encode(), "text/csv")}).json()
    assert (partial["created"], partial["rejected"]) == (1, 2)
    assert len(client.get(f"/api/contacts/{contact}/touches", headers=rep.headers).json()) == 1
