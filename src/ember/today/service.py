"""Each rep's Today queue: one ordered list of what to do now, and why.

Order: replies to answer first (the prospect is waiting on the rep), then
trigger alerts (interest is hottest now), then overdue next steps (promises
made on calls), then planned touches by due time.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from ember.cadence.timing import zone
from ember.errors import NotFound, Problem
from ember.inbox.service import replies_for
from ember.messages.rules import fill
from ember.models import User
from ember.today import repository
from ember.today.repository import QueueContact
from ember.users.access import Actor, can_see_owner
from ember.users.repository import user_by_email, user_by_id

NEXT_STEP_WORDS = {
    "meeting": "Hold the meeting agreed", "email": "Send the email promised", "documents": "Share the documents",
    "demo": "Run the demo agreed", "introduction": "Get the introduction agreed",
    "authority": "Confirm who decides", "pricing": "Send the pricing promised",
    "trial": "Set up the trial agreed", "other": "Do what was agreed",
}
# When the prospect made the promise, the rep's job is to check it happened, not to do it.
THEIR_STEP_WORDS = {
    "meeting": "Check the meeting they offered is booked", "email": "Check for the email they promised",
    "documents": "Check you received the documents they promised", "demo": "Check the demo date they gave",
    "introduction": "Ask for the introduction they offered", "authority": "Ask what they learned about who decides",
    "pricing": "Check the pricing question they took away", "trial": "Check the trial is under way",
    "other": "Check they did what they promised",
}


@dataclass(frozen=True)
class QueueItem:
    kind: str  # replied | alert | next_step | ftc | follow_up | trigger | multithread
    contact: str
    contact_email: str | None
    contact_id: int
    deal: str | None
    deal_id: int | None
    label: str | None
    purpose: str
    variant: str | None
    message: str | None
    channel: str | None
    at: str  # ISO 8601 in the contact's own UTC offset
    local_time: str  # "Wed 16:00 Europe/Berlin"
    reason: str
    overdue: bool

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _contact_zone(contact_tz: str | None, account_tz: str | None) -> ZoneInfo:
    # Cached: building a ZoneInfo reads the tz database, which would dominate a long queue.
    return zone(contact_tz or account_tz or "UTC")


_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _when(moment: datetime, zone: ZoneInfo) -> tuple[str, str]:
    local = moment.astimezone(zone)
    # Spelled out rather than strftime: this runs for every row of every queue.
    words = (f"{_DAYS[local.weekday()]} {local.day:02d} {_MONTHS[local.month - 1]} "
             f"{local.hour:02d}:{local.minute:02d} {zone.key}")
    return local.isoformat(), words


def end_of_today(user_tz: str, now: datetime) -> datetime:
    zone = ZoneInfo(user_tz)
    local = now.astimezone(zone)
    return datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)


def _contact_name(contact: QueueContact) -> str:
    return f"{contact.first_name} {contact.last_name}".strip() or (contact.email or "?")


def queue_for(session: Session, actor: Actor, rep_email: str | None = None, *, now: datetime | None = None,
              limit: int = 200) -> list[QueueItem]:
    """The queue of the actor, or of a rep the actor manages."""
    rep = queue_owner(session, actor, rep_email)
    now = now or datetime.now(UTC)
    until = end_of_today(rep.timezone, now)
    # Each read asks only for the room the earlier ones left; promises from calls may take
    # at most half of it, so a backlog of them never hides the calls that are due.
    items = _replies(session, rep.id, limit)
    items += _alerts(session, rep.id, limit - len(items))
    items += _next_steps(session, rep.id, until, now, (limit - len(items)) // 2)
    if len(items) < limit:
        items += _plans(session, rep, until, now, limit - len(items))
    return items


def queue_owner(session: Session, actor: Actor, rep_email: str | None) -> User:
    rep = user_by_email(session, rep_email) if rep_email else user_by_id(session, actor.id)
    # One answer for a user who does not exist and one the caller may not see.
    if rep is None or not can_see_owner(actor, rep):
        raise NotFound(f"no queue for {rep_email}: not a user on your team",
                       [Problem("rep", f"{rep_email} is not a user whose queue you can see",
                                "name yourself or a rep on your team")])
    return rep


def _replies(session: Session, rep_id: int, limit: int) -> list[QueueItem]:
    """Prospects who wrote back: "replied: read and answer", with the first lines of what they wrote."""
    items = []
    for reply in replies_for(session, rep_id, limit):
        at, local = _when(reply.received_at, _contact_zone(None, None))
        items.append(QueueItem("replied", reply.contact, reply.contact_email, reply.contact_id, None, reply.deal_id,
                               None, reply.purpose, None, None, "email", at, local, reply.reason, False))
    return items


def _alerts(session: Session, rep_id: int, limit: int) -> list[QueueItem]:
    items = []
    for alert in repository.unseen_alerts(session, rep_id, limit):
        at, local = _when(alert.created_at, _contact_zone(alert.contact_tz, alert.account_tz))
        items.append(QueueItem("alert", _contact_name(alert), alert.email, alert.contact_id, None, None, None,
                               "Trigger event: follow up while interest is fresh", None, None, "call", at, local,
                               alert.summary, False))
    return items


def _next_steps(session: Session, rep_id: int, until: datetime, now: datetime, limit: int) -> list[QueueItem]:
    items = []
    for step in repository.due_next_steps(session, rep_id, until, limit):
        due_at, phrase = step.due_at, step.due_phrase
        at, local = _when(due_at, _contact_zone(step.contact_tz, step.account_tz)) if due_at else ("", "no date agreed")
        who = {"rep": "you promised", "prospect": "they promised"}.get(step.owner_side, "agreed")
        reason = f'Next step from the last call ({who}{", " + phrase if phrase else ""}): "{step.quote}"'
        items.append(QueueItem("next_step", _contact_name(step), step.email, step.contact_id, step.deal_name,
                               step.deal_id, None, _step_purpose(step.type, step.owner_side), None, None, None, at,
                               local, reason, due_at is not None and due_at < now))
    return items


def _step_purpose(type_: str, owner_side: str) -> str:
    words = THEIR_STEP_WORDS if owner_side == "prospect" else NEXT_STEP_WORDS
    return words.get(type_, words["other"])


def _plans(session: Session, rep: User, until: datetime, now: datetime, limit: int) -> list[QueueItem]:
    # Trigger follow-ups and multi-threading come before routine attempts.
    rank = {"trigger": 0, "multithread": 1}
    ranked = []
    for plan in repository.due_plans(session, rep.id, until, limit):
        if plan.kind == "reply":
            continue  # listed first, by _replies
        at, local = _when(plan.due_at, _contact_zone(plan.contact_tz, plan.account_tz))
        # Names are filled here; facts that need more reads (their problem, a trigger) on the contact page.
        message = fill(plan.body, {"first_name": plan.first_name, "rep_name": rep.name}) if plan.body else None
        item = QueueItem(plan.kind, _contact_name(plan), plan.email, plan.contact_id, plan.deal_name, plan.deal_id,
                         plan.label, plan.purpose, plan.variant_key, message, plan.channel, at, local, plan.reason,
                         plan.due_at < now)
        ranked.append((rank.get(plan.kind, 2), plan.due_at, item))
    return [item for *_, item in sorted(ranked, key=lambda entry: entry[:2])]
