"""Meetings booked through a scheduling tool, read from the events that report them. Pure.

A booking (Calendly's ``invitee.created``, a Zoom meeting registration, a
Segment ``Meeting Booked`` call) is a trigger like any other, and also a meeting
the rep has to hold: it becomes a planned meeting touch at the booked time. The
tool's own id of the booking (Calendly's invitee URI, Zoom's meeting and
registrant ids) is kept as the booking key, namespaced by the source, so that the
tool's cancellation of the same booking finds that planned touch and calls it off,
and a booking reported twice stays one meeting.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ember.vocabulary import EventType

KEY_MAX = 300
# Payload fields the providers fill (see ember.tracking.providers and ember.tracking.segment).
BOOKING = "booking"
START = "start_time"
END = "end_time"
TITLE = "meeting"


@dataclass(frozen=True, slots=True)
class Booking:
    key: str  # "<source>:<the tool's id of the booking>"
    booked: bool  # False: the tool says it was cancelled
    start: datetime | None
    end: datetime | None
    title: str


def _moment(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def booking_of(source: str, event_type: str, payload: dict[str, Any] | None) -> Booking | None:
    """The booking an event reports, or None when it reports none (or names no booking to find again)."""
    if event_type not in (EventType.MEETING_BOOKED, EventType.MEETING_CANCELED):
        return None
    payload = payload or {}
    given = payload.get(BOOKING)
    if not isinstance(given, str | int) or isinstance(given, bool) or not str(given).strip():
        return None
    title = payload.get(TITLE)
    return Booking(key=f"{source}:{str(given).strip()}"[:KEY_MAX], booked=event_type == EventType.MEETING_BOOKED,
                   start=_moment(payload.get(START)), end=_moment(payload.get(END)),
                   title=str(title).strip()[:200] if isinstance(title, str) else "")


def meeting_purpose(booking: Booking) -> str:
    return f"Hold the meeting they booked: {booking.title}" if booking.title else "Hold the meeting they booked"


def meeting_reason(booking: Booking, source: str) -> str:
    length = ""
    if booking.start and booking.end and booking.end > booking.start:
        length = f" ({int((booking.end - booking.start).total_seconds() // 60)} minutes)"
    return (f"They booked this meeting themselves through {source}{length}. Prepare for it: "
            "their problem, who else decides, and the next step you want from it.")
