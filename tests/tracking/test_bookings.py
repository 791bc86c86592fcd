"""A meeting the contact books in a scheduling tool becomes a planned meeting touch for the rep,
besides the trigger: on Today on the day and on the contact's page; the tool's cancellation
calls it off. Deliveries are in each tool's documented shape, signed as the tool signs."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from segment.analytics.client import Client as SegmentClient
from sqlalchemy import select

from ember.db import unit_of_work
from ember.models import PlannedTouch, User
from ember.today.service import queue_for
from ember.users.access import Actor
from tests.factories import make_user
from tests.tracking.support import add_source, alert_count
from tests.trigger_support import drain, make_contact
from tests.web.page_support import BROWSER, log_in

pytestmark = pytest.mark.db
NORA = "nora@prospect.example"
ZOOM_SECRET = "zoom-secret-token-123"


def _sign(key: str, message: bytes) -> str:
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def _calendly(key: str, event: str, start: datetime, invitee: str = "INV1") -> tuple[bytes, dict[str, str]]:
    now = datetime.now(UTC).isoformat()
    raw = json.dumps({"created_at": now, "created_by": "https://api.calendly.com/users/U1", "event": event,
                      "payload": {"email": NORA, "name": "Nora Quinn", "status": "active", "created_at": now,
                                  "rescheduled": False,
                                  "uri": f"https://api.calendly.com/scheduled_events/E1/invitees/{invitee}",
                                  "scheduled_event": {"name": "30 Minute Demo",
                                                      "uri": "https://api.calendly.com/scheduled_events/E1",
                                                      "start_time": start.isoformat(),
                                                      "end_time": (start + timedelta(minutes=30)).isoformat()}},
                      }).encode()
    t = int(time.time())
    return raw, {"Content-Type": "application/json",
                 "Calendly-Webhook-Signature": f"t={t},v1={_sign(key, f'{t}.'.encode() + raw)}"}


def _zoom(event: str, start: datetime) -> tuple[bytes, dict[str, str]]:
    raw = json.dumps({"event": event, "event_ts": int(time.time() * 1000), "payload": {
        "account_id": "acc", "object": {"uuid": "m-uuid==", "id": 85746065432, "host_id": "h",
                                        "topic": "Pricing walkthrough", "type": 2, "start_time": start.isoformat(),
                                        "duration": 45, "timezone": "Europe/Berlin",
                                        "registrant": {"id": "reg-9", "email": NORA, "first_name": "Nora",
                                                       "last_name": "Quinn"}}}}).encode()
    t = str(int(time.time()))
    return raw, {"Content-Type": "application/json", "x-zm-request-timestamp": t,
                 "x-zm-signature": "v0=" + _sign(ZOOM_SECRET, f"v0:{t}:".encode() + raw)}


def _meetings(engine) -> list[tuple[str, str, datetime]]:  # type: ignore[no-untyped-def]
    with unit_of_work(engine) as session:
        rows = session.scalars(select(PlannedTouch).where(PlannedTouch.kind == "meeting").order_by(PlannedTouch.id))
        return [(r.status, r.channel, r.due_at.replace(tzinfo=UTC) if r.due_at.tzinfo is None else r.due_at)
                for r in rows]


def _today(engine, rep_id: int, now: datetime) -> list[Any]:  # type: ignore[no-untyped-def]
    with unit_of_work(engine) as session:
        user = session.get(User, rep_id)
        assert user is not None
        return queue_for(session, Actor.of(user), now=now)


def _start() -> datetime:
    return (datetime.now(UTC) + timedelta(days=2)).replace(hour=14, minute=0, second=0, microsecond=0)


def test_a_calendly_booking_is_a_planned_meeting_on_today_and_the_contact_page(  # type: ignore[no-untyped-def]
        server_url, client, engine, settings) -> None:
    rep = make_user(engine, "rep@ember.example", password="correct horse")
    contact_id = make_contact(engine, rep.id, NORA, nurture=True)
    setup = add_source(engine, "meetings", "calendly")
    assert setup.secret
    start = _start()
    raw, headers = _calendly(setup.secret, "invitee.created", start)
    assert httpx.post(f"{server_url}/hooks/meetings", content=raw, headers=headers).status_code == 202
    drain(settings)

    assert alert_count(engine) == 1  # still a trigger: the rep is told at once
    assert _meetings(engine) == [("planned", "meeting", start)]  # and the trigger's re-plan left it alone
    on_the_day = _today(engine, rep.id, start - timedelta(hours=5))
    meeting = next(item for item in on_the_day if item.kind == "meeting")
    assert meeting.contact_id == contact_id and meeting.purpose == "Hold the meeting they booked: 30 Minute Demo"
    assert "booked this meeting themselves through meetings (30 minutes)" in meeting.reason
    log_in(client, rep.email)
    page = client.get(f"/contacts/{contact_id}", headers=BROWSER).text
    assert 'id="booked-meetings"' in page and "Hold the meeting they booked: 30 Minute Demo" in page
    assert "Booked a meeting" in page  # on the timeline

    # Calendly retries the same delivery: still one meeting.
    assert httpx.post(f"{server_url}/hooks/meetings", content=raw, headers=headers).json()["duplicates"] == 1
    cancel, cancel_headers = _calendly(setup.secret, "invitee.canceled", start)
    answer = httpx.post(f"{server_url}/hooks/meetings", content=cancel, headers=cancel_headers).json()
    assert answer["accepted"] == 1
    drain(settings)
    assert _meetings(engine) == [("cancelled", "meeting", start)]
    assert not [item for item in _today(engine, rep.id, start - timedelta(hours=5)) if item.kind == "meeting"]
    assert 'id="booked-meetings"' not in client.get(f"/contacts/{contact_id}", headers=BROWSER).text
    assert alert_count(engine) == 1  # a cancellation wakes nobody up


def test_a_zoom_meeting_registration_is_a_meeting_and_its_cancellation_calls_it_off(  # type: ignore[no-untyped-def]
        server_url, engine, settings) -> None:
    rep = make_user(engine, "rep@ember.example")
    make_contact(engine, rep.id, NORA)
    add_source(engine, "zoom", "zoom", secret=ZOOM_SECRET)
    start = _start()
    raw, headers = _zoom("meeting.registration_created", start)
    assert httpx.post(f"{server_url}/hooks/zoom", content=raw, headers=headers).status_code == 202
    drain(settings)
    assert _meetings(engine) == [("planned", "meeting", start)]
    raw, headers = _zoom("meeting.registration_cancelled", start)
    assert httpx.post(f"{server_url}/hooks/zoom", content=raw, headers=headers).json()["accepted"] == 1
    drain(settings)
    assert _meetings(engine) == [("cancelled", "meeting", start)]


def test_a_meeting_booked_call_from_segments_library_is_planned(server_url, engine, settings) -> None:  # type: ignore[no-untyped-def]
    rep = make_user(engine, "rep@ember.example")
    make_contact(engine, rep.id, NORA)
    key = add_source(engine, "scheduler", "segment").write_key
    client = SegmentClient(write_key=key, host=server_url, max_retries=0)
    start = _start()
    client.track(user_id=NORA, event="Meeting Booked", properties={
        "booking_id": "bk-77", "start_time": start.isoformat(), "end_time": (start + timedelta(hours=1)).isoformat(),
        "meeting_name": "Discovery call"})
    client.flush()
    client.join()
    drain(settings)
    assert _meetings(engine) == [("planned", "meeting", start)]
    moved = start + timedelta(days=1)  # rebooked under the same booking id: the meeting moves
    client = SegmentClient(write_key=key, host=server_url, max_retries=0)  # a joined client sends no more
    client.track(user_id=NORA, event="Meeting Booked", properties={"booking_id": "bk-77",
                                                                   "start_time": moved.isoformat()})
    client.track(user_id=NORA, event="Meeting Canceled", properties={"booking_id": "other"})
    client.flush()
    client.join()
    drain(settings)
    assert _meetings(engine) == [("planned", "meeting", moved)]
