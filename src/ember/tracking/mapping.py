"""Which provider event becomes which Ember event type, per kind of source. Pure.

Each kind ships defaults that make the shipped trigger rules fire out of the box
(a booking, a webinar registration, a form, a newsletter subscription); a manager
may override any entry per source, or switch an event off (``None``). Names are
matched without regard to case.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ember.errors import ProblemList
from ember.events.rules import SEGMENT_TRACK
from ember.vocabulary import EventType


class SourceKind(StrEnum):
    WEBHOOK = "webhook"  # Standard Webhooks, our own schema (POST /events)
    SEGMENT = "segment"  # Segment-compatible libraries (POST /v1/...)
    MAILCHIMP = "mailchimp"
    KIT = "kit"
    ZOOM = "zoom"
    CALENDLY = "calendly"
    HUBSPOT = "hubspot"
    TYPEFORM = "typeform"


PROVIDER_KINDS = (SourceKind.MAILCHIMP, SourceKind.KIT, SourceKind.ZOOM, SourceKind.CALENDLY,
                  SourceKind.HUBSPOT, SourceKind.TYPEFORM)

E = EventType
DEFAULT_EVENTS: dict[SourceKind, dict[str, str | None]] = {
    SourceKind.WEBHOOK: {},
    SourceKind.SEGMENT: {
        "page": E.PAGE_VIEW, "screen": E.PAGE_VIEW, "identify": E.IDENTIFY, "group": None, "alias": E.ALIAS,
        **{name: type_.value for name, type_ in SEGMENT_TRACK.items()},
        "form submitted": E.FORM_SUBMIT, "meeting booked": E.MEETING_BOOKED,
        "meeting canceled": E.MEETING_CANCELED, "meeting cancelled": E.MEETING_CANCELED,
        "webinar attended": E.WEBINAR_ATTEND,
        "newsletter unsubscribed": E.NEWSLETTER_UNSUBSCRIBE,
    },
    SourceKind.MAILCHIMP: {"subscribe": E.NEWSLETTER_SUBSCRIBE, "unsubscribe": E.NEWSLETTER_UNSUBSCRIBE,
                           "profile": None, "upemail": None, "cleaned": None, "campaign": None},
    SourceKind.KIT: {"subscriber.created": E.NEWSLETTER_SUBSCRIBE, "subscriber.activated": E.NEWSLETTER_SUBSCRIBE,
                     "subscriber.subscribed_to_form": E.FORM_SUBMIT,
                     "subscriber.unsubscribed": E.NEWSLETTER_UNSUBSCRIBE},
    SourceKind.ZOOM: {"webinar.registration_created": E.WEBINAR_RSVP,
                      "webinar.participant_joined": E.WEBINAR_ATTEND,
                      "meeting.registration_created": E.MEETING_BOOKED,
                      "meeting.registration_cancelled": E.MEETING_CANCELED},
    SourceKind.CALENDLY: {"invitee.created": E.MEETING_BOOKED, "invitee.canceled": E.MEETING_CANCELED},
    SourceKind.HUBSPOT: {"form.submission": E.FORM_SUBMIT,
                         "contact.propertychange:recent_conversion_event_name": E.FORM_SUBMIT,
                         "contact.creation": None},
    SourceKind.TYPEFORM: {"form_response": E.FORM_SUBMIT},
}
# Where the URL that URL rules (e.g. */pricing*) look at comes from, for Segment calls.
DEFAULT_URL_FROM = ("url", "path")


@dataclass(frozen=True)
class EventMap:
    kind: SourceKind
    events: dict[str, str | None] = field(default_factory=dict)
    url_from: tuple[str, ...] = DEFAULT_URL_FROM

    def type_for(self, name: str) -> str | None:
        """The Ember event type of a provider event name; None when it is not used."""
        key = name.strip().lower()
        if key in self.events:
            return self.events[key]
        if key in _TYPE_NAMES:  # a tool may send our own type names
            return key
        return None

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "events": dict(sorted(self.events.items())), "url_from": list(self.url_from)}


_TYPE_NAMES = {t.value for t in EventType}


def event_map(kind: str, overrides: Mapping[str, Any] | None) -> EventMap:
    """The defaults of ``kind`` with a source's overrides applied."""
    source_kind = SourceKind(kind)
    events = {name: (str(value) if value is not None else None) for name, value in DEFAULT_EVENTS[source_kind].items()}
    overrides = overrides or {}
    for name, value in (overrides.get("events") or {}).items():
        events[str(name).strip().lower()] = value
    url_from = tuple(overrides.get("url_from") or DEFAULT_URL_FROM)
    return EventMap(source_kind, events, url_from)


def validate_overrides(changes: Mapping[str, str | None], url_from: list[str] | None) -> None:
    """Refuse, with every problem named, a mapping change that cannot work."""
    problems = ProblemList()
    for name, value in changes.items():
        if not name.strip() or len(name) > 200:
            problems.add("event name", f"{name!r} must be 1-200 characters", "give the tool's event name")
        if value is not None and value not in _TYPE_NAMES:
            problems.add(f"event {name!r}", f"{value!r} is not an event type",
                         "use one of: " + ", ".join(sorted(_TYPE_NAMES)) + ", or 'off'")
    for prop in url_from or []:
        if not prop.strip() or len(prop) > 100 or not prop.replace("_", "").replace(".", "").isalnum():
            problems.add("url_from", f"{prop!r} is not a property name", "use names like url or page_url")
    problems.raise_if_any("the event mapping is not valid")


def merged_overrides(current: Mapping[str, Any] | None, changes: Mapping[str, str | None],
                     url_from: list[str] | None) -> dict[str, Any]:
    merged: dict[str, Any] = {"events": dict((current or {}).get("events") or {})}
    for name, value in changes.items():
        merged["events"][name.strip().lower()] = value
    if url_from is not None:
        merged["url_from"] = [p.strip() for p in url_from]
    elif (current or {}).get("url_from"):
        merged["url_from"] = list((current or {})["url_from"])
    return merged
