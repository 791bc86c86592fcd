"""Dialer call events posted to the running app, signed as each provider signs them."""

from __future__ import annotations

import base64
import json
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from standardwebhooks import Webhook

from ember.app import create_app
from ember.db import unit_of_work
from ember.dialer.signatures import twilio_signature
from ember.models import Contact, Touch
from ember.settings import Settings
from tests.compose_support import add_contact
from tests.factories import TestUser, make_user

TWILIO_TOKEN = "12345678901234567890123456789012"
AIRCALL_TOKEN = "aircall-webhook-token-1"
SECRET = "whsec_" + base64.b64encode(b"dialer-secret-for-tests-0123456").decode()
URL = "http://testserver/webhooks/dialer/twilio"


@pytest.fixture
def app_client(settings: Settings, engine: Engine):  # type: ignore[no-untyped-def]
    configured = settings.model_copy(update={"dialer_twilio_auth_token": TWILIO_TOKEN,
                                             "dialer_aircall_token": AIRCALL_TOKEN,
                                             "dialer_webhook_secret": SECRET})
    with TestClient(create_app(configured, engine)) as client:
        yield client


@pytest.fixture
def dana(engine: Engine) -> TestUser:
    return make_user(engine, "dana@acme.example", timezone="America/Chicago")


@pytest.fixture
def contact_id(engine: Engine, dana: TestUser) -> int:
    found = add_contact(engine, dana.id)
    with unit_of_work(engine) as session:
        contact = session.get(Contact, found)
        assert contact is not None
        contact.phone, contact.phone_key = "(312) 555-0199", "+13125550199"
    return found


def _touches(engine: Engine, contact_id: int) -> list[tuple[str, str, str | None]]:
    with unit_of_work(engine) as session:
        return [(t.channel, t.outcome, t.label) for t in session.scalars(
            select(Touch).where(Touch.contact_id == contact_id).order_by(Touch.id))]


def _twilio(client: TestClient, **fields: str):  # type: ignore[no-untyped-def]
    form = {"AccountSid": "AC123", "From": "+15005550006", "Direction": "outbound-api", **fields}
    return client.post("/webhooks/dialer/twilio", content=urlencode(form),
                       headers={"Content-Type": "application/x-www-form-urlencoded",
                                "X-Twilio-Signature": twilio_signature(TWILIO_TOKEN, URL, form)})


@pytest.mark.parametrize(("fields", "outcome", "why"), [
    ({"CallStatus": "busy", "CallDuration": "0"}, "no-answer", "busy"),
    ({"CallStatus": "no-answer", "CallDuration": "0"}, "no-answer", "nobody picked up"),
    ({"CallStatus": "failed", "CallDuration": "0"}, "wrong-number", "could not be placed"),
    ({"CallStatus": "completed", "CallDuration": "41", "AnsweredBy": "machine_end_beep"}, "voicemail",
     "voicemail left"),
    ({"CallStatus": "completed", "CallDuration": "6", "AnsweredBy": "machine_start"}, "no-answer",
     "no message left"),
    ({"CallStatus": "completed", "CallDuration": "312", "AnsweredBy": "human"}, "conversation", "312 s"),
    ({"CallStatus": "completed", "CallDuration": "9", "AnsweredBy": "human"}, "no-answer", "over after 9 s"),
])
def test_twilio_status_callbacks_log_the_derived_outcome(app_client, engine, contact_id, fields, outcome, why):
    response = _twilio(app_client, CallSid="CA" + "1" * 32, To="+1 312-555-0199",
                       RecordingUrl="https://api.twilio.com/rec/RE1", **fields)
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["status"] == "logged" and body["outcome"] == outcome and why in body["reason"]
    assert _touches(engine, contact_id) == [("call", outcome, "FTC #1")]


def test_a_twilio_retry_changes_nothing_and_a_bad_signature_is_refused(app_client, engine, contact_id):
    fields = {"CallSid": "CA" + "2" * 32, "To": "+13125550199", "CallStatus": "completed", "CallDuration": "200"}
    assert _twilio(app_client, **fields).status_code == 202
    again = _twilio(app_client, **fields)
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    forged = app_client.post("/webhooks/dialer/twilio", data={**fields, "CallSid": "CA" + "3" * 32},
                             headers={"X-Twilio-Signature": twilio_signature("wrong-token", URL, fields)})
    assert forged.status_code == 401 and "X-Twilio-Signature" in forged.text
    assert _touches(engine, contact_id) == [("call", "conversation", "FTC #1")]


def _aircall(**data: object) -> dict[str, object]:
    started = int((datetime.now(UTC) - timedelta(minutes=10)).timestamp())
    call = {"id": 812345, "direction": "outbound", "status": "done", "started_at": started, "answered_at": None,
            "ended_at": started + 30, "raw_digits": "+1 312-555-0199", "missed_call_reason": None,
            "voicemail": None, "user": {"email": "dana@acme.example"}, **data}
    return {"resource": "call", "event": "call.ended", "timestamp": started + 31, "token": AIRCALL_TOKEN,
            "data": call}


def test_aircall_call_ended_events(app_client, engine, contact_id):
    started = int((datetime.now(UTC) - timedelta(minutes=5)).timestamp())
    missed = app_client.post("/webhooks/dialer/aircall", json=_aircall(id=1, missed_call_reason="no_answer"))
    talked = app_client.post("/webhooks/dialer/aircall", json=_aircall(id=2, started_at=started,
                                                                        answered_at=started + 5,
                                                                        ended_at=started + 185))
    assert missed.json()["outcome"] == "no-answer" and "no_answer" in missed.json()["reason"]
    assert talked.json()["outcome"] == "conversation" and talked.json()["label"] == "FTC #2"
    forged = app_client.post("/webhooks/dialer/aircall", json={**_aircall(id=3), "token": "guess"})
    assert forged.status_code == 401
    assert [t[1] for t in _touches(engine, contact_id)] == ["no-answer", "conversation"]


def _generic(client: TestClient, body: dict[str, object], secret: str = SECRET):  # type: ignore[no-untyped-def]
    raw = json.dumps(body)
    msg_id, now = f"msg_{body.get('id')}", datetime.now(UTC)
    signature = Webhook(secret).sign(msg_id, now, raw)
    return client.post("/webhooks/dialer/generic", content=raw, headers={
        "content-type": "application/json", "webhook-id": msg_id,
        "webhook-timestamp": str(int(time.time())), "webhook-signature": signature})


def test_generic_events_unknown_numbers_wait_to_be_attached(app_client, engine, contact_id):
    rep = make_user(engine, "lee@acme.example")
    started = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    voicemail = _generic(app_client, {"id": "c1", "phone": "312 555 0199", "status": "answered",
                                      "answered_by": "machine", "started_at": started, "duration_s": 25})
    assert voicemail.json()["outcome"] == "voicemail"
    stranger = _generic(app_client, {"id": "c2", "phone": "+44 20 7946 0958", "status": "answered",
                                     "started_at": started, "duration_s": 95})
    assert stranger.status_code == 202 and stranger.json()["status"] == "unmatched"
    bad = _generic(app_client, {"id": "c3", "phone": "+1", "status": "ringing", "started_at": started})
    assert bad.status_code == 422 and "ringing" in bad.text
    unsigned = app_client.post("/webhooks/dialer/generic", json={"id": "c4"})
    assert unsigned.status_code == 401

    owner_headers = make_user(engine, "boss@acme.example", role="admin").headers
    [waiting] = app_client.get("/api/dialer/unmatched", headers=owner_headers).json()
    assert waiting["number"] == "+44 20 7946 0958"
    attached = app_client.post(f"/api/dialer/unmatched/{waiting['id']}/attach", json={"contact_id": contact_id},
                               headers=owner_headers)
    assert attached.status_code == 200 and attached.json()["outcome"] == "conversation"
    assert [t[1] for t in _touches(engine, contact_id)] == ["voicemail", "conversation"]
    assert app_client.get("/api/dialer/unmatched", headers=rep.headers).json() == []


def test_a_conversation_the_dialer_logged_can_be_corrected_to_a_gatekeeper(app_client, engine, contact_id, dana):
    logged = _twilio(app_client, CallSid="CA" + "4" * 32, To="+13125550199", CallStatus="completed",
                     CallDuration="95", AnsweredBy="human").json()
    assert logged["outcome"] == "conversation"
    corrected = app_client.post(f"/api/dialer/touches/{logged['touch_id']}/gatekeeper", headers=dana.headers)
    assert corrected.status_code == 200, corrected.text
    body = corrected.json()
    assert body["touch"] == {"id": logged["touch_id"], "outcome": "gatekeeper", "label": "FTC #1"}
    assert body["next"]["label"] == "FTC #2"  # still trying to reach the contact

