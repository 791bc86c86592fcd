"""The words of the domain, as closed sets of values.

Every layer (rules, storage, API, CLI) speaks these. Values are the exact
strings stored in the database and accepted on the command line, so they
never change once released; add new members instead.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    REP = "rep"
    MANAGER = "manager"
    ADMIN = "admin"


class ContactStatus(StrEnum):
    ACTIVE = "active"
    NURTURE = "nurture"
    DO_NOT_CONTACT = "do-not-contact"


class DecisionRole(StrEnum):
    DECISION_MAKER = "decision_maker"
    INFLUENCER = "influencer"
    INFO_GATHERER = "info_gatherer"
    END_USER = "end_user"
    CHAMPION = "champion"
    UNKNOWN = "unknown"


class Channel(StrEnum):
    CALL = "call"
    EMAIL = "email"
    VOICEMAIL = "voicemail"
    SOCIAL = "social"
    SMS = "sms"
    MEETING = "meeting"


class PreferredChannel(StrEnum):
    """What the prospect said they prefer for follow-up."""

    CALL = "call"
    EMAIL = "email"
    VIDEO_DEMO = "video_demo"
    SELF_SERVE_DEMO = "self_serve_demo"
    SOCIAL = "social"
    SMS = "sms"


class Outcome(StrEnum):
    """Built-in touch outcomes. Teams may add their own (see custom outcomes)."""

    CONVERSATION = "conversation"
    GATEKEEPER = "gatekeeper"
    VOICEMAIL = "voicemail"
    NO_ANSWER = "no-answer"
    WRONG_NUMBER = "wrong-number"
    EMAIL_SENT = "email-sent"
    EMAIL_REPLIED = "email-replied"
    EMAIL_BOUNCED = "email-bounced"
    MEETING_HELD = "meeting-held"
    NO_SHOW = "no-show"
    SAID_NO = "said-no"
    NOT_NOW = "not-now"


# Outcomes in which the rep actually spoke or corresponded with the contact:
# the first of these ends the FTC phase for that contact.
CONVERSATION_OUTCOMES = frozenset(
    {
        Outcome.CONVERSATION,
        Outcome.EMAIL_REPLIED,
        Outcome.MEETING_HELD,
        Outcome.SAID_NO,
        Outcome.NOT_NOW,
    }
)


class DealStage(StrEnum):
    PROSPECTING = "prospecting"
    QUALIFICATION = "qualification"
    DISCOVERY = "discovery"
    DEMO = "demo"
    PROPOSAL = "proposal"
    NEGOTIATION = "negotiation"
    CLOSED_WON = "closed_won"
    CLOSED_LOST = "closed_lost"


CLOSED_STAGES = frozenset({DealStage.CLOSED_WON, DealStage.CLOSED_LOST})


class DealOutcome(StrEnum):
    WON = "won"
    LOST = "lost"


class DealSource(StrEnum):
    OUTBOUND = "outbound"
    INBOUND = "inbound"
    REFERRAL = "referral"
    EVENT = "event"
    PARTNER = "partner"


class Side(StrEnum):
    REP = "rep"
    PROSPECT = "prospect"
    UNKNOWN = "unknown"  # a transcript's only speaker, when nobody said who it is


class NextStepType(StrEnum):
    MEETING = "meeting"
    EMAIL = "email"
    DOCUMENTS = "documents"
    DEMO = "demo"
    INTRODUCTION = "introduction"
    AUTHORITY = "authority"
    PRICING = "pricing"
    TRIAL = "trial"
    OTHER = "other"


class NextStepStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class MessageSituation(StrEnum):
    GATEKEEPER = "gatekeeper"
    VOICEMAIL = "voicemail"
    EMAIL = "email"
    SOCIAL = "social"


class MessagePhase(StrEnum):
    FTC = "ftc"
    FOLLOW_UP = "follow_up"
    NUDGE = "nudge"
    TRIGGER = "trigger"
    REFERRAL = "referral"


class PlannedTouchStatus(StrEnum):
    PLANNED = "planned"
    DONE = "done"
    CANCELLED = "cancelled"
    SKIPPED = "skipped"  # the rep chose not to make this attempt, and said why


class EventType(StrEnum):
    PAGE_VIEW = "page_view"
    NEWSLETTER_SUBSCRIBE = "newsletter_subscribe"
    PODCAST_SUBSCRIBE = "podcast_subscribe"
    WEBINAR_RSVP = "webinar_rsvp"
    CONTENT_SHARE = "content_share"
    DEMO_USE = "demo_use"
    EMAIL_REPLY = "email_reply"
    EMAIL_CLICK = "email_click"
    MEETING_BOOKED = "meeting_booked"
    FORM_SUBMIT = "form_submit"
    WEBINAR_ATTEND = "webinar_attend"
    # Not signals on their own: ties an anonymous visitor to an email address; a goodbye.
    IDENTIFY = "identify"
    NEWSLETTER_UNSUBSCRIBE = "newsletter_unsubscribe"
    # A booking called off: its planned meeting goes, no alert.
    MEETING_CANCELED = "meeting_canceled"
    # Two ids of one person (Segment's alias): whatever either id did is theirs.
    ALIAS = "alias"


class EventStatus(StrEnum):
    PENDING = "pending"
    HANDLED = "handled"


class AlertStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class OutboundStatus(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    REFUSED = "refused"
