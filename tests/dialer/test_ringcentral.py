"""RingCentral call events posted to the running app as RingCentral sends them: the Validation-Token
handshake, the Verification-Token on every notification, telephony session events and call log records."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from ember.app import create_app
from ember.db import unit_of_work
from ember.models import InboundEvent
from ember.settings import Settings
from tests.dialer.test_call_events import _touches, contact_id, dana  # noqa: F401  (fixtures)

TOKEN = "rc-verification-token-42"
URL = "/webhooks/dialer/ringcentral"
START = datetime(2026, 3, 4, 15, 0, tzinfo=UTC)


@pytest.fixture
def app_client(settings: Settings, engine: Engine):  # type: ignore[no-untyped-def]
    configured = settings.model_copy(update={"dialer_ringcentral_token": TOKEN})
    with TestClient(create_app(configured, engine)) as client:
        yield client


def _envelope(body: dict[str, Any], event: str = "/restapi/v1.0/account/~/extension/~/telephony/sessions") -> dict:  # type: ignore[type-arg]
    return {"uuid": "5307721021316466186", "event": event, "timestamp": "2026-03-04T15:00:00.000Z",
            "subscriptionId": "0a8d8b3b-5c3e-4f7b-9f2e-6d3c2b1a0f9e", "ownerId": "1500133004", "body": body}


def _session(code: str, at: datetime, *, missed: bool = False, session_id: str = "s-a0d7e2a1b3c4d5") -> dict:  # type: ignore[type-arg]
    return _envelope({
        "sequence": 7, "sessionId": "4503991004", "telephonySessionId": session_id, "serverId": "10.13.22.253.TAM",
        "eventTime": at.isoformat().replace("+00:00", "Z"), "origin": {"type": "Call"},
        "parties": [{"accountId": "1500133004", "extensionId": "1500133004", "id": "p-a0d7e2a1b3c4d5-1",
                     "direction": "Outbound",
                     "to": {"phoneNumber": "+13125550199", "name": "Marco Ruiz"},
                     "from": {"phoneNumber": "+16505550100", "name": "Dana", "extensionId": "1500133004"},
                     "status": {"code": code, "rcc": False}, "missedCall": missed, "standAlone": False,
                     "muted": False}]})


def _post(client: TestClient, body: Any, token: str | None = TOKEN):  # type: ignore[no-untyped-def]
    headers = {"Verification-Token": token} if token else {}
    return client.post(URL, json=body, headers=headers)


def test_the_validation_token_handshake_echoes_the_header(app_client) -> None:  # type: ignore[no-untyped-def]
    answer = app_client.post(URL, headers={"Validation-Token": "e5f8a8b0-1111-2222-3333-444455556666"})
    assert answer.status_code == 200
    assert answer.headers["Validation-Token"] == "e5f8a8b0-1111-2222-3333-444455556666"


def test_a_session_answered_then_disconnected_is_a_conversation_of_that_length(  # type: ignore[no-untyped-def]
        app_client, engine, contact_id) -> None:  # noqa: F811
    for code, at in (("Setup", START), ("Proceeding", START + timedelta(seconds=2))):
        answer = _post(app_client, _session(code, at))
        assert answer.status_code == 200 and answer.json()["status"] == "skipped"
    assert _post(app_client, _session("Answered", START + timedelta(seconds=9))).json()["status"] == "skipped"
    ended = _post(app_client, _session("Disconnected", START + timedelta(seconds=9 + 312)))
    assert ended.status_code == 202, ended.text
    assert ended.json()["outcome"] == "conversation" and "312 s" in ended.json()["reason"]
    assert _touches(engine, contact_id) == [("call", "conversation", ended.json()["label"])]
    again = _post(app_client, _session("Disconnected", START + timedelta(seconds=9 + 312)))  # a retry
    assert again.json()["status"] == "duplicate"
    assert len(_touches(engine, contact_id)) == 1


@pytest.mark.parametrize(("code", "missed", "outcome"), [
    ("Disconnected", True, "no-answer"), ("Disconnected", False, "no-answer"), ("VoiceMail", False, "voicemail"),
])
def test_a_session_that_never_connected(app_client, engine, contact_id, code, missed, outcome) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    answer = _post(app_client, _session(code, START + timedelta(seconds=30), missed=missed))
    assert answer.status_code == 202 and answer.json()["outcome"] == outcome
    assert _touches(engine, contact_id)[-1][:2] == ("call", outcome)


def _record(result: str, duration: int, record_id: str = "Y3s7Hs9kCrh2HUA") -> dict[str, Any]:
    return {"uri": f"https://platform.ringcentral.com/restapi/v1.0/account/1500133004/call-log/{record_id}",
            "id": record_id, "sessionId": "4503991004", "telephonySessionId": f"s-{record_id}",
            "startTime": "2026-03-04T15:00:00.000Z", "duration": duration, "type": "Voice",
            "internalType": "LongDistance", "direction": "Outbound", "action": "VoIP Call", "result": result,
            "to": {"phoneNumber": "+13125550199", "location": "Chicago, IL"},
            "from": {"phoneNumber": "+16505550100", "name": "Dana", "extensionId": "1500133004"},
            "recording": {"id": "401", "type": "Automatic",
                          "contentUri": "https://media.ringcentral.com/restapi/v1.0/account/1500133004/recording/401/content"}}


@pytest.mark.parametrize(("result", "duration", "outcome"), [
    ("Call connected", 240, "conversation"), ("Call connected", 8, "no-answer"), ("Voicemail", 35, "voicemail"),
    ("No Answer", 0, "no-answer"), ("Busy", 0, "no-answer"), ("Wrong Number", 0, "wrong-number"),
])
def test_call_log_records(app_client, engine, contact_id, result, duration, outcome) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    answer = _post(app_client, _envelope(_record(result, duration), "/restapi/v1.0/account/~/call-log"))
    assert answer.status_code == 202, answer.text
    assert answer.json()["outcome"] == outcome and f"result {result}" in answer.json()["reason"]
    assert _touches(engine, contact_id)[-1][:2] == ("call", outcome)


def test_without_the_verification_token_nothing_is_stored(app_client, engine, contact_id) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    body = _session("Disconnected", START)
    assert _post(app_client, body, token=None).status_code == 401
    assert _post(app_client, body, token="guess").status_code == 401
    bad = _post(app_client, _envelope({"parties": [{"status": {}}], "telephonySessionId": "s-1"}))
    assert bad.status_code == 422 and "status.code" in bad.text
    with unit_of_work(engine) as session:
        assert session.scalar(select(func.count()).select_from(InboundEvent)) == 0
    assert _touches(engine, contact_id) == []


def test_ringcentral_events_are_refused_until_a_token_is_set(client) -> None:  # type: ignore[no-untyped-def]
    answer = client.post(URL, json=_session("Disconnected", START), headers={"Verification-Token": "x"})
    assert answer.status_code == 401 and "EMBER_DIALER_RINGCENTRAL_TOKEN" in answer.text
    assert client.post(URL, headers={"Validation-Token": "abc"}).status_code == 401
