"""Touches that cannot have happened are refused with the reason, through the API, the CLI
and the pages alike, and nothing is stored."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import time_machine

from ember.outbound.rules import SUBJECT_MAX, refusal
from ember.touches.rules import date_problem, impossible_pair, possible_outcomes
from tests.factories import make_user

MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _contact(client, rep) -> int:  # type: ignore[no-untyped-def]
    response = client.post("/api/contacts", headers=rep.headers,
                           json={"email": "maren@nordwerk.example", "first_name": "Maren", "phone": "+49 30 1234567",
                                 "timezone": "Europe/Berlin", "country": "DE"})
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def _post(client, rep, contact: int, **body):  # type: ignore[no-untyped-def]
    return client.post("/api/touches", headers=rep.headers, json={"contact_id": contact} | body)


def _problems(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 422, response.text
    return {p["where"]: f'{p["what"]} / {p["fix"]}' for p in response.json()["error"]["problems"]}


def test_pairs_that_cannot_happen() -> None:
    assert impossible_pair("email", "gatekeeper") and impossible_pair("sms", "meeting-held")
    assert impossible_pair("call", "email-bounced") and impossible_pair("voicemail", "conversation")
    assert not impossible_pair("call", "gatekeeper") and not impossible_pair("email", "email-replied")
    assert not impossible_pair("email", "a-team-outcome")  # a team's own outcomes are theirs to pair
    assert "gatekeeper" not in possible_outcomes("email") and "email-sent" in possible_outcomes("email")


def test_dates_in_the_future_are_refused_and_before_the_contact_need_confirming() -> None:
    added = datetime(2026, 3, 1, tzinfo=UTC)
    assert date_problem(datetime(2026, 3, 3, tzinfo=UTC), now=MONDAY, contact_since=added, confirmed=True)
    assert date_problem(datetime(2026, 2, 1, tzinfo=UTC), now=MONDAY, contact_since=added, confirmed=False)
    assert date_problem(datetime(2026, 2, 1, tzinfo=UTC), now=MONDAY, contact_since=added, confirmed=True) is None
    assert date_problem(MONDAY, now=MONDAY, contact_since=added, confirmed=False) is None


@time_machine.travel(MONDAY, tick=False)
def test_the_api_refuses_every_problem_at_once_and_stores_nothing(client, engine) -> None:
    rep = make_user(engine, "rep@ember.example")
    contact = _contact(client, rep)
    problems = _problems(_post(client, rep, contact, channel="email", outcome="gatekeeper",
                               occurred_at="2026-03-09T10:00:00+00:00", notes="x" * 5001))
    assert "cannot happen on the email channel" in problems["outcome"] and "email-sent" in problems["outcome"]
    assert "in the future" in problems["occurred_at"]
    assert "notes" in " ".join(problems)
    problems = _problems(_post(client, rep, contact, channel="sms", outcome="meeting-held"))
    assert "meeting-held" in problems["outcome"]
    problems = _problems(_post(client, rep, contact, channel="call", outcome="not-now"))
    assert "call-back" in problems["callback_at"]
    problems = _problems(_post(client, rep, contact, channel="call", outcome="no-answer",
                               occurred_at="2025-03-02T10:00:00+00:00"))
    assert "before the contact was added" in problems["occurred_at"]
    assert client.get(f"/api/contacts/{contact}/touches", headers=rep.headers).json() == []

    confirmed = _post(client, rep, contact, channel="call", outcome="no-answer",
                      occurred_at="2025-03-02T10:00:00+00:00", confirm_date=True)
    assert confirmed.status_code == 201 and confirmed.json()["touch"]["label"] == "FTC #1"


@time_machine.travel(MONDAY, tick=False)
def test_the_cli_refuses_an_email_gatekeeper_with_the_reason(client, engine, ember) -> None:
    rep = make_user(engine, "rep@ember.example")
    _contact(client, rep)
    result = ember("touch", "log", "--contact", "maren@nordwerk.example", "--channel", "email",
                 "--outcome", "gatekeeper", "--as", rep.email)
    assert result.exit_code == 1
    assert "cannot happen on the email channel" in result.output
    listed = ember("touch", "log", "--contact", "maren@nordwerk.example", "--channel", "email",
                 "--outcome", "email-sent", "--as", rep.email, "--json")
    assert listed.exit_code == 0, listed.output
    assert json.loads(listed.output)["touch"]["label"] == "FTC #1"


def test_an_over_long_subject_is_not_sent() -> None:
    refused = refusal(contact_status="active", contact_email="a@b.example", kind="email", subject="s" * 301,
                      body="Hello")
    assert refused is not None and str(SUBJECT_MAX) in refused.reason
