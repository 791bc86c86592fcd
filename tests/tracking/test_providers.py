"""Each tool's webhook, in the tool's documented shape and signed with its documented algorithm,
posted to a running Ember: accepted, mapped, deduplicated; forged or stale deliveries store nothing.

The signatures are computed here from each tool's documentation, not with Ember's own helpers.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from tests.factories import make_user
from tests.tracking.support import add_source, alert_count, stored
from tests.trigger_support import drain, make_contact

pytestmark = pytest.mark.db
NORA = "nora@prospect.example"


def _hmac(secret: str, message: bytes) -> bytes:
    return hmac.new(secret.encode(), message, hashlib.sha256).digest()


def _nurture(engine) -> None:  # type: ignore[no-untyped-def]
    rep = make_user(engine, "rep@ember.example")
    make_contact(engine, rep.id, NORA, nurture=True)


def _post(url: str, raw: bytes, headers: dict[str, str]) -> httpx.Response:
    return httpx.post(url, content=raw, headers={"Content-Type": "application/json", **headers}, timeout=10)


# ---- Calendly ----------------------------------------------------------------

def _calendly_body(event: str = "invitee.created", invitee: str = "AAAA") -> bytes:
    now = datetime.now(UTC).isoformat()
    return json.dumps({"created_at": now, "created_by": "https://api.calendly.com/users/U1", "event": event,
                       "payload": {"email": NORA, "name": "Nora Quinn", "status": "active", "created_at": now,
                                   "uri": f"https://api.calendly.com/scheduled_events/E1/invitees/{invitee}",
                                   "scheduled_event": {"name": "30 Minute Demo", "uri": "https://api.calendly.com/"
                                                       "scheduled_events/E1", "start_time": now, "end_time": now}},
                       }).encode()


def _calendly_headers(key: str, raw: bytes, at: int | None = None) -> dict[str, str]:
    t = at or int(time.time())
    return {"Calendly-Webhook-Signature": f"t={t},v1={_hmac(key, f'{t}.'.encode() + raw).hex()}"}


def test_calendly_booking_by_a_nurture_contact_alerts_once(server_url, engine, settings) -> None:  # type: ignore[no-untyped-def]
    _nurture(engine)
    setup = add_source(engine, "meetings", "calendly")
    assert setup.secret and setup.address.endswith("/hooks/meetings")
    url = f"{server_url}/hooks/meetings"
    raw = _calendly_body()
    first = _post(url, raw, _calendly_headers(setup.secret, raw))
    assert first.status_code == 202, first.text
    assert first.json()["accepted"] == 1
    again = _post(url, raw, _calendly_headers(setup.secret, raw))  # Calendly retrying
    assert again.json()["duplicates"] == 1
    drain(settings)
    rows = stored(engine)
    assert [(r.type, r.email, r.url) for r in rows] == [("meeting_booked", NORA, "30 Minute Demo")]
    assert alert_count(engine) == 1
    cancel = _calendly_body("invitee.canceled")
    answer = _post(url, cancel, _calendly_headers(setup.secret, cancel)).json()
    assert answer["accepted"] == 1  # kept: it calls the booked meeting off (see test_bookings)
    drain(settings)
    assert alert_count(engine) == 1


def test_calendly_forged_or_stale_deliveries_store_nothing(server_url, engine) -> None:  # type: ignore[no-untyped-def]
    setup = add_source(engine, "meetings", "calendly")
    assert setup.secret
    url = f"{server_url}/hooks/meetings"
    raw = _calendly_body()
    assert _post(url, raw, _calendly_headers("another-key", raw)).status_code == 401
    stale = _post(url, raw, _calendly_headers(setup.secret, raw, int(time.time()) - 600))
    assert stale.status_code == 401 and "too old" in stale.json()["error"]["message"]
    tampered = _post(url, raw.replace(b"Nora", b"Eve"), _calendly_headers(setup.secret, raw))
    assert tampered.status_code == 401
    assert _post(url, raw, {}).status_code == 401
    assert stored(engine) == []


# ---- Zoom --------------------------------------------------------------------

ZOOM_SECRET = "zoom-secret-token-123"


def _zoom_headers(raw: bytes, at: int | None = None, secret: str = ZOOM_SECRET) -> dict[str, str]:
    t = str(at or int(time.time()))
    return {"x-zm-request-timestamp": t, "x-zm-signature": "v0=" + _hmac(secret, f"v0:{t}:".encode() + raw).hex()}


def _zoom(event: str, person: dict[str, Any]) -> bytes:
    key = "participant" if "participant" in event else "registrant"
    return json.dumps({"event": event, "event_ts": int(time.time() * 1000), "payload": {
        "account_id": "acc", "object": {"uuid": "w-uuid==", "id": "812345", "host_id": "h", "topic": "Q3 launch",
                                        "start_time": datetime.now(UTC).isoformat(), key: person}}}).encode()


def test_zoom_url_validation_and_webinar_registration(server_url, engine, settings) -> None:  # type: ignore[no-untyped-def]
    _nurture(engine)
    add_source(engine, "webinars", "zoom", secret=ZOOM_SECRET)
    url = f"{server_url}/hooks/webinars"
    challenge = json.dumps({"event": "endpoint.url_validation", "event_ts": int(time.time() * 1000),
                            "payload": {"plainToken": "qgg8vlvZRS6UYooatFL8Aw"}}).encode()
    answer = _post(url, challenge, _zoom_headers(challenge))
    assert answer.status_code == 200
    expected = hmac.new(ZOOM_SECRET.encode(), b"qgg8vlvZRS6UYooatFL8Aw", hashlib.sha256).hexdigest()
    assert answer.json() == {"plainToken": "qgg8vlvZRS6UYooatFL8Aw", "encryptedToken": expected}
    registered = _zoom("webinar.registration_created", {"id": "r1", "email": NORA, "first_name": "Nora"})
    assert _post(url, registered, _zoom_headers(registered)).json()["accepted"] == 1
    assert _post(url, registered, _zoom_headers(registered)).json()["duplicates"] == 1
    joined = _zoom("webinar.participant_joined", {"participant_uuid": "p1", "email": NORA,
                                                 "join_time": datetime.now(UTC).isoformat()})
    assert _post(url, joined, _zoom_headers(joined)).json()["accepted"] == 1
    drain(settings)
    assert sorted(r.type for r in stored(engine)) == ["webinar_attend", "webinar_rsvp"]
    assert alert_count(engine) == 2


def test_zoom_refusals(server_url, engine) -> None:  # type: ignore[no-untyped-def]
    add_source(engine, "nosecret", "zoom")
    add_source(engine, "webinars", "zoom", secret=ZOOM_SECRET)
    raw = _zoom("webinar.registration_created", {"id": "r1", "email": NORA})
    missing = _post(f"{server_url}/hooks/nosecret", raw, _zoom_headers(raw))
    assert missing.status_code == 401 and "ember sources secret nosecret" in missing.json()["error"]["message"]
    url = f"{server_url}/hooks/webinars"
    assert _post(url, raw, _zoom_headers(raw, secret="wrong")).status_code == 401
    assert _post(url, raw, _zoom_headers(raw, int(time.time()) - 3600)).status_code == 401
    assert _post(f"{server_url}/hooks/nobody", raw, _zoom_headers(raw)).status_code == 404
    assert stored(engine) == []


# ---- Typeform ----------------------------------------------------------------

def _typeform(event_id: str = "01HTEST") -> bytes:
    return json.dumps({"event_id": event_id, "event_type": "form_response", "form_response": {
        "form_id": "lT4Z3j", "token": "a3a12ec67a1365927098a606107fac15", "submitted_at": datetime.now(UTC).isoformat(),
        "landed_at": datetime.now(UTC).isoformat(), "definition": {"id": "lT4Z3j", "title": "Request a demo",
                                                                   "fields": [{"id": "f1", "type": "email"}]},
        "answers": [{"type": "text", "text": "Acme", "field": {"id": "f0", "type": "short_text"}},
                    {"type": "email", "email": NORA, "field": {"id": "f1", "type": "email"}}]}}).encode()


def test_typeform_response_becomes_a_form_submission(server_url, engine, settings) -> None:  # type: ignore[no-untyped-def]
    _nurture(engine)
    setup = add_source(engine, "forms", "typeform")
    assert setup.secret
    url = f"{server_url}/hooks/forms"
    raw = _typeform()
    signature = "sha256=" + base64.b64encode(_hmac(setup.secret, raw)).decode()
    assert _post(url, raw, {"Typeform-Signature": signature}).json()["accepted"] == 1
    assert _post(url, raw, {"Typeform-Signature": signature}).json()["duplicates"] == 1
    assert _post(url, raw, {"Typeform-Signature": "sha256=" + base64.b64encode(b"x" * 32).decode()}).status_code == 401
    drain(settings)
    assert [(r.type, r.email, r.url) for r in stored(engine)] == [("form_submit", NORA, "Request a demo")]
    assert alert_count(engine) == 1


# ---- HubSpot -----------------------------------------------------------------

HUBSPOT_SECRET = "hubspot-client-secret"


def _hubspot_headers(url: str, raw: bytes, at_ms: int | None = None) -> dict[str, str]:
    ts = str(at_ms or int(time.time() * 1000))
    signature = base64.b64encode(_hmac(HUBSPOT_SECRET, b"POST" + url.encode() + raw + ts.encode())).decode()
    return {"X-HubSpot-Signature-v3": signature, "X-HubSpot-Request-Timestamp": ts}


def test_hubspot_form_submissions_matched_by_record_id_and_by_email(server_url, engine, settings) -> None:  # type: ignore[no-untyped-def]
    rep = make_user(engine, "rep@ember.example")
    contact_id = make_contact(engine, rep.id, NORA, nurture=True)
    from ember.db import unit_of_work
    from ember.models import Contact

    with unit_of_work(engine) as session:
        contact = session.get(Contact, contact_id)
        assert contact is not None
        contact.external_id = "5101"  # the HubSpot Record ID, kept from the contacts import
    add_source(engine, "crm", "hubspot", secret=HUBSPOT_SECRET)
    url = f"{server_url}/hooks/crm"
    events = json.dumps([{"eventId": 1001, "subscriptionId": 7, "portalId": 62515, "appId": 54321,
                          "occurredAt": int(time.time() * 1000), "subscriptionType": "contact.propertyChange",
                          "attemptNumber": 0, "objectId": 5101, "changeSource": "FORM",
                          "propertyName": "recent_conversion_event_name", "propertyValue": "Pricing questions"},
                         {"eventId": 1002, "subscriptionType": "contact.creation", "objectId": 5102,
                          "occurredAt": int(time.time() * 1000)}]).encode()
    answer = _post(url, events, _hubspot_headers(url, events))
    assert answer.status_code == 202, answer.text
    assert answer.json()["accepted"] == 1 and answer.json()["skipped"] == ["contact.creation"]
    workflow = json.dumps({"vid": 5103, "properties": {"email": {"value": "someone@else.example"}}}).encode()
    assert _post(url, workflow, _hubspot_headers(url, workflow)).json()["accepted"] == 1
    stale = _post(url, events, _hubspot_headers(url, events, int(time.time() * 1000) - 10 * 60 * 1000))
    assert stale.status_code == 401
    assert _post(url + "?x=1", events, _hubspot_headers(url, events)).status_code == 401  # another address
    drain(settings)
    rows = stored(engine)
    assert [(r.type, r.email) for r in rows] == [("form_submit", NORA), ("form_submit", "someone@else.example")]
    assert rows[0].contact_id == contact_id and rows[0].url == "Pricing questions"
    assert alert_count(engine) == 1


# ---- Mailchimp ---------------------------------------------------------------

def test_mailchimp_checks_the_address_then_sends_a_form(server_url, engine, settings) -> None:  # type: ignore[no-untyped-def]
    _nurture(engine)
    setup = add_source(engine, "newsletter", "mailchimp")
    address = setup.address.replace("http://ember.test", server_url)
    assert httpx.get(address, timeout=10).status_code == 200  # Mailchimp's check when the webhook is saved
    form = {"type": "subscribe", "fired_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S"),
            "data[id]": "8a25ff1d98", "data[list_id]": "a6b5da1054", "data[email]": NORA,
            "data[email_type]": "html", "data[merges][EMAIL]": NORA, "data[merges][FNAME]": "Nora",
            "data[ip_opt]": "10.20.10.30"}
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    first = httpx.post(address, content=urlencode(form), headers=headers, timeout=10)
    assert first.status_code == 202 and first.json()["accepted"] == 1
    assert httpx.post(address, content=urlencode(form), headers=headers, timeout=10).json()["duplicates"] == 1
    wrong = httpx.post(f"{server_url}/hooks/newsletter?key=guess", content=urlencode(form), headers=headers)
    assert wrong.status_code == 401
    assert httpx.post(f"{server_url}/hooks/newsletter", content=urlencode(form), headers=headers).status_code == 401
    unsubscribe = {**form, "type": "unsubscribe", "data[reason]": "manual", "data[action]": "unsub"}
    assert httpx.post(address, content=urlencode(unsubscribe), headers=headers).json()["accepted"] == 1
    drain(settings)
    assert sorted(r.type for r in stored(engine)) == ["newsletter_subscribe", "newsletter_unsubscribe"]
    assert alert_count(engine) == 1  # a goodbye wakes nobody up


# ---- Kit ---------------------------------------------------------------------

KIT_SECRET = "kit-endpoint-secret"


def _kit_headers(raw: bytes, at: int | None = None) -> dict[str, str]:
    t = at or int(time.time())
    return {"X-Kit-Signature": f"t={t},v1={_hmac(KIT_SECRET, f'{t}.'.encode() + raw).hex()}"}


def test_kit_delivery_with_several_events(server_url, engine, settings) -> None:  # type: ignore[no-untyped-def]
    _nurture(engine)
    add_source(engine, "kit", "kit", secret=KIT_SECRET)
    url = f"{server_url}/hooks/kit"
    now = datetime.now(UTC).isoformat()
    raw = json.dumps({"delivery_id": 123456, "events": [
        {"id": "9c2e1f3a-0001", "type": "subscriber.activated", "created": now,
         "data": {"subscriber": {"id": 1, "email_address": "Nora@Prospect.example", "state": "active"}}},
        {"id": "9c2e1f3a-0002", "type": "subscriber.tag_added", "created": now,
         "data": {"subscriber": {"id": 2, "email_address": "ada@example.com"}, "tag": {"name": "vip"}}},
    ]}).encode()
    answer = _post(url, raw, _kit_headers(raw))
    assert answer.status_code == 202 and answer.json()["accepted"] == 1
    assert answer.json()["skipped"] == ["subscriber.tag_added"]
    assert _post(url, raw, _kit_headers(raw)).json()["duplicates"] == 1
    assert _post(url, raw, _kit_headers(raw, int(time.time()) - 3600)).status_code == 401
    drain(settings)
    assert [(r.type, r.email) for r in stored(engine)] == [("newsletter_subscribe", NORA)]
    assert alert_count(engine) == 1


def test_a_delivery_that_is_not_json_is_refused_clearly(server_url, engine) -> None:  # type: ignore[no-untyped-def]
    setup = add_source(engine, "forms", "typeform")
    assert setup.secret
    raw = b"{not json"
    signature = "sha256=" + base64.b64encode(_hmac(setup.secret, raw)).decode()
    answer = _post(f"{server_url}/hooks/forms", raw, {"Typeform-Signature": signature})
    assert answer.status_code == 422 and "not JSON" in answer.json()["error"]["message"]
    assert stored(engine) == []
