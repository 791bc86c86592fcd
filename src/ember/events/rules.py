"""Which events mean a contact is warm again. Pure: no session, no I/O.

A rule names an event type, optionally URL patterns (globs) for the hot pages,
how many matching events it takes within a window, and which contacts it is
for (those on the nurture list, those on a stalled deal, or anyone).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from fnmatch import fnmatchcase
from urllib.parse import urlsplit

from ember.vocabulary import EventType

# Recorded but never a sign of interest on their own.
NOT_SIGNALS = (EventType.IDENTIFY, EventType.NEWSLETTER_UNSUBSCRIBE)
SIGNAL_TYPES = tuple(t for t in EventType if t not in NOT_SIGNALS)


class Audience(StrEnum):
    NURTURE = "nurture"  # said no (or added by hand): the rule re-opens them
    STALLED = "stalled"  # on a deal that went quiet
    ANY = "any"


@dataclass(frozen=True, slots=True)
class RuleSpec:
    id: int
    name: str
    event_type: str
    url_pattern: str | None = None
    min_count: int = 1
    window_hours: int = 24 * 7
    audience: str = Audience.ANY.value
    is_active: bool = True

    @property
    def window(self) -> timedelta:
        return timedelta(hours=self.window_hours)


@dataclass(frozen=True, slots=True)
class EventFact:
    type: str
    url: str | None
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class ContactState:
    status: str  # active | nurture | do-not-contact
    stalled: bool  # on an open deal marked stalled


@dataclass(frozen=True, slots=True)
class DefaultRule:
    name: str
    event_type: EventType
    url_pattern: str | None = None
    min_count: int = 1
    window_hours: int = 24 * 7
    audience: Audience = Audience.ANY

    @property
    def key(self) -> str:
        """Stable identity of a shipped rule, so seeding it twice at once inserts it once."""
        return re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")[:60]


# Sensible defaults: hot pages and every explicit sign of interest.
DEFAULT_RULES: tuple[DefaultRule, ...] = (
    DefaultRule("Pricing page visit", EventType.PAGE_VIEW, "*/pricing*"),
    DefaultRule("Demo page visit", EventType.PAGE_VIEW, "*/demo*"),
    DefaultRule("Case study read", EventType.PAGE_VIEW, "*/case-stud*, */customers/*"),
    DefaultRule("Back on the site three times in a day", EventType.PAGE_VIEW, None, 3, 24, Audience.NURTURE),
    DefaultRule("Newsletter subscription", EventType.NEWSLETTER_SUBSCRIBE),
    DefaultRule("Podcast subscription", EventType.PODCAST_SUBSCRIBE),
    DefaultRule("Webinar or event RSVP", EventType.WEBINAR_RSVP),
    DefaultRule("Shared our content", EventType.CONTENT_SHARE),
    DefaultRule("Used the demo", EventType.DEMO_USE),
    DefaultRule("Replied to an email", EventType.EMAIL_REPLY),
    DefaultRule("Clicked a link in an email", EventType.EMAIL_CLICK),
    DefaultRule("Booked a meeting", EventType.MEETING_BOOKED),
    DefaultRule("Filled in a form", EventType.FORM_SUBMIT),
    DefaultRule("Attended a webinar", EventType.WEBINAR_ATTEND),
)

# Completes the sentence "they ..." (the planner and the alert text use it).
_WHAT = {
    EventType.PAGE_VIEW: "visited {page}",
    EventType.NEWSLETTER_SUBSCRIBE: "subscribed to the newsletter",
    EventType.PODCAST_SUBSCRIBE: "subscribed to the podcast",
    EventType.WEBINAR_RSVP: "signed up for a webinar or event",
    EventType.CONTENT_SHARE: "shared one of our posts",
    EventType.DEMO_USE: "tried the demo",
    EventType.EMAIL_REPLY: "replied to an email",
    EventType.EMAIL_CLICK: "clicked a link in an email",
    EventType.MEETING_BOOKED: "booked a meeting",
    EventType.FORM_SUBMIT: "filled in one of our forms",
    EventType.WEBINAR_ATTEND: "attended a webinar",
    EventType.IDENTIFY: "identified themselves on the website",
    EventType.NEWSLETTER_UNSUBSCRIBE: "unsubscribed from the newsletter",
}


def patterns(url_pattern: str | None) -> list[str]:
    """A rule may list several globs, separated by commas or spaces."""
    if not url_pattern:
        return []
    return [part for part in url_pattern.replace(",", " ").split() if part]


def url_matches(url_pattern: str | None, url: str | None) -> bool:
    """Glob match on the whole URL or on its path, ignoring case and any query string.

    "*/pricing*" matches "https://acme.com/pricing?plan=team" and "/pricing".
    """
    globs = patterns(url_pattern)
    if not globs:
        return True
    if not url:
        return False
    text = url.strip().lower()
    parts = urlsplit(text)
    candidates = {text, text.split("?", 1)[0].split("#", 1)[0], parts.path or "/"}
    return any(fnmatchcase(candidate, glob.lower()) for glob in globs for candidate in candidates)


def event_matches(rule: RuleSpec, event: EventFact) -> bool:
    return rule.is_active and rule.event_type == event.type and url_matches(rule.url_pattern, event.url)


def audience_matches(rule: RuleSpec, contact: ContactState) -> bool:
    if contact.status == "do-not-contact":
        return False  # never wake a rep up for someone who asked not to be contacted
    if rule.audience == Audience.NURTURE:
        return contact.status == "nurture"
    if rule.audience == Audience.STALLED:
        return contact.stalled
    return True


def count_in_window(rule: RuleSpec, event: EventFact, history: Iterable[EventFact]) -> int:
    """Matching events in the window that ends with ``event`` (``history`` may include it)."""
    start = event.occurred_at - rule.window
    return sum(1 for past in history if start <= past.occurred_at <= event.occurred_at and event_matches(rule, past))


def fired_rules(rules: Sequence[RuleSpec], event: EventFact, history: Sequence[EventFact],
                contact: ContactState) -> list[RuleSpec]:
    """The rules this event completes, for this contact, given its recent events."""
    return [rule for rule in rules
            if event_matches(rule, event) and audience_matches(rule, contact)
            and count_in_window(rule, event, history) >= rule.min_count]


def window_bucket(rule: RuleSpec, occurred_at: datetime) -> int:
    """Fixed windows since the epoch: one alert per contact, rule and window."""
    return int(occurred_at.timestamp() // (max(rule.window_hours, 1) * 3600))


def dedup_key(contact_id: int, rule: RuleSpec, occurred_at: datetime) -> str:
    return f"trigger:{contact_id}:{rule.id}:{window_bucket(rule, occurred_at)}"


def _page(url: str | None) -> str:
    if not url:
        return "the website"
    path = urlsplit(url).path or "/"
    lowered = path.lower()
    for word, name in (("pricing", "the pricing page"), ("demo", "the demo page"),
                       ("case-stud", "a case study"), ("customers", "a customer story")):
        if word in lowered:
            return f"{name} ({path})"
    return f"the page {path}"


def what_happened(event_type: str, url: str | None, count: int = 1) -> str:
    """Words that complete "they ...", e.g. "visited the pricing page (/pricing)"."""
    try:
        template = _WHAT[EventType(event_type)]
    except ValueError:
        template = f"sent the event {event_type}"
    text = template.format(page=_page(url))
    return f"{text} ({count} times)" if count > 1 else text
