"""What happened with each contact: touches, recorded calls, next steps, plans, events."""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from ember.calls.rules import merged_qualification
from ember.demo import messages, names
from ember.demo.cadence import NOTES, Step, callback_after
from ember.demo.clock import zone
from ember.demo.context import Context
from ember.demo.dialogue import LISTENING, MIXED, PITCHING, build_call
from ember.demo.transcripts import render
from ember.demo.world import AccountFacts, ContactFacts
from ember.events.rules import what_happened
from ember.vocabulary import (
    CONVERSATION_OUTCOMES,
    Channel,
    ContactStatus,
    DealOutcome,
    EventStatus,
    EventType,
    NextStepStatus,
    Outcome,
    PlannedTouchStatus,
    PreferredChannel,
)

_RECORDED = frozenset({Outcome.CONVERSATION, Outcome.MEETING_HELD})
_PLANNED_CHANNEL = {
    PreferredChannel.CALL: Channel.CALL, PreferredChannel.EMAIL: Channel.EMAIL,
    PreferredChannel.VIDEO_DEMO: Channel.MEETING, PreferredChannel.SELF_SERVE_DEMO: Channel.EMAIL,
    PreferredChannel.SOCIAL: Channel.SOCIAL, PreferredChannel.SMS: Channel.SMS,
}


@dataclass(slots=True)
class Logged:
    """A touch with the ids it was stored under."""

    id: int
    step: Step
    deal_id: int | None
    label: str


def write_touches(ctx: Context, account: AccountFacts, contact: ContactFacts,
                  steps: list[tuple[Step, int | None]]) -> list[Logged]:
    """Store one contact's touches in time order, labelled FTC #n / follow-up #n."""
    steps.sort(key=lambda pair: pair[0].instant)
    ids = [ctx.writer.ids.take("touches") for _ in steps]
    labels = ctx.labels([(i, s.instant, s.outcome, d)
                         for i, (s, d) in zip(ids, steps, strict=True)])
    logged = []
    previous: str | None = None
    for touch_id, (step, deal_id) in zip(ids, steps, strict=True):
        row = _touch_row(ctx, account, contact, step, deal_id, labels[touch_id])
        row["id"] = touch_id
        if ctx.variant_ids:
            previous = messages.used_variant(step.channel, step.outcome, labels[touch_id],
                                             contact.received, previous)
            row["message_variant_id"] = ctx.variant_ids.get(previous) if previous else None
        ctx.writer.buffer("touches", row)
        logged.append(Logged(touch_id, step, deal_id, labels[touch_id]))
    return logged


def _touch_row(ctx: Context, account: AccountFacts, contact: ContactFacts, step: Step,
               deal_id: int | None, label: str) -> dict[str, Any]:
    rng = ctx.rng
    notes = NOTES.get(step.outcome)
    at = step.instant
    return {
        "contact_id": contact.id, "deal_id": deal_id, "rep_id": account.owner.id,
        "channel": step.channel, "outcome": step.outcome, "occurred_at": at,
        "message_variant_id": None, "label": label,
        "callback_at": callback_after(at, rng) if step.outcome == Outcome.NOT_NOW else None,
        "notes": rng.choice(notes) if notes and rng.random() < 0.6 else None,
        "created_at": at,
    }


def record_calls(ctx: Context, account: AccountFacts, contact: ContactFacts,
                 logged: list[Logged], deals: dict[int, dict[str, Any]]) -> None:
    """Attach a recorded call, with transcript and next steps, to some conversations."""
    for touch in logged:
        if (ctx.calls_left <= 0 or touch.deal_id is None or touch.step.outcome not in _RECORDED
                or ctx.rng.random() >= ctx.call_chance):
            continue
        ctx.calls_left -= 1
        _one_call(ctx, account, contact, touch, deals[touch.deal_id])


def _one_call(ctx: Context, account: AccountFacts, contact: ContactFacts, touch: Logged,
              deal: dict[str, Any]) -> None:
    rng = ctx.rng
    at = touch.step.instant
    rep = account.owner
    dialogue = build_call(rng, first_name=contact.first, company=account.name,
                          problem_short=account.problem, start=at, tz=contact.tz,
                          target_s=180 + rng.random() * 720, style=_style(rng, deal["outcome"]))
    rendered = render(rng, dialogue, rep=rep.name, prospect=contact.name, company=account.name,
                      at=at)
    row: dict[str, Any] = {
        "touch_id": touch.id, "transcript_source": rendered.source,
        "transcript_format": rendered.format, "transcript_text": rendered.text,
        "duration_s": rendered.duration_s,
        "created_at": at + timedelta(seconds=rendered.duration_s),
    }
    analysis = _analyse(ctx, rendered.text, rendered.source, at, contact.tz, rep.name)
    deal_id, deal_open = touch.deal_id, deal["outcome"] is None
    if analysis is not None:  # left out, not None: a JSON None would be stored as 'null'
        row["analysis"], row["analysed_at"] = analysis[0], at + timedelta(minutes=20)
        deal["qualification"] = _qualification(deal["qualification"], analysis[1])
    call_id = ctx.writer.add("calls", row)
    for step in dialogue.commitments:
        due = step.due_at.astimezone(UTC)
        ctx.writer.add("next_steps", {
            "deal_id": deal_id, "contact_id": contact.id, "call_id": call_id,
            "rep_id": rep.id, "type": step.type, "owner_side": step.owner_side, "due_at": due,
            "due_phrase": step.phrase, "status": _step_status(ctx, due, deal_open),
            "quote": step.quote, "start_s": rendered.turn_starts[step.turn_index],
            "created_at": at + timedelta(seconds=rendered.duration_s),
        })


def _style(rng: random.Random, outcome: str | None) -> str:
    """Won deals mostly had listening calls, lost ones mostly pitching calls; never all of them."""
    draw = rng.random()
    if outcome == DealOutcome.WON:
        return LISTENING if draw < 0.7 else (PITCHING if draw < 0.8 else MIXED)
    if outcome == DealOutcome.LOST:
        return PITCHING if draw < 0.65 else (LISTENING if draw < 0.8 else MIXED)
    return MIXED


def _step_status(ctx: Context, due: datetime, deal_open: bool) -> str:
    """Closed deals finished their steps; open ones keep some open, a few overdue."""
    # Draw before looking at dates: the random sequence must not depend on the calendar.
    draw = ctx.rng.random()
    if not deal_open:
        return NextStepStatus.DONE if draw < 0.8 else NextStepStatus.CANCELLED
    if due < ctx.now - timedelta(days=3) and draw < 0.6:
        return NextStepStatus.DONE
    return NextStepStatus.OPEN


def _qualification(current: dict[str, Any], analysis: Any) -> dict[str, Any]:
    """The deal's qualification as the call service merges it."""
    merged: dict[str, Any] = json.loads(json.dumps(merged_qualification(current, analysis),
                                                   default=str))
    return merged


def _analyse(ctx: Context, text: str, source: str, at: datetime, tz: str,
             rep: str) -> tuple[dict[str, Any], Any] | None:
    """Run the conversation analysis when that package provides it; never fail the demo."""
    if ctx.analyze is None:
        return None
    try:
        result = ctx.analyze(
            text, filename_hint=source, reps=(rep,), known_reps=[r.name for r in ctx.reps[:50]],
            # The prospect's wall clock: "next Tuesday at 3" is said in their time zone.
            call_date=at.astimezone(zone(tz)).replace(tzinfo=None, second=0, microsecond=0),
        )
        data = result.to_dict() if hasattr(result, "to_dict") else result
        loaded: dict[str, Any] = json.loads(json.dumps(data, default=str))
    except Exception:  # the analysis is a bonus here; the data set stands without it
        return None
    return loaded, result


def loose_next_step(ctx: Context, contact: ContactFacts, deal_id: int, rep_id: int,
                    last: datetime) -> None:
    """A next step noted by hand after a call that was not recorded."""
    rng = ctx.rng
    kind, phrase, quote = rng.choice((
        ("documents", "end of next week", "Send the security pack to their IT lead."),
        ("meeting", "in two weeks", "Book a session with their finance director."),
        ("introduction", "this month", "They will introduce us to the head of operations."),
        ("email", "Monday", "They confirm the pilot scope by email."),
    ))
    due = last + timedelta(days=3 + int(rng.random() * 10))
    ctx.writer.add("next_steps", {
        "deal_id": deal_id, "contact_id": contact.id, "call_id": None, "rep_id": rep_id,
        "type": kind, "owner_side": "prospect" if "They" in quote else "rep", "due_at": due,
        "due_phrase": phrase, "status": NextStepStatus.OPEN, "quote": quote, "start_s": None,
        "created_at": last,
    })


def next_label(logged: list[Logged], deal_id: int | None) -> tuple[str, str]:
    """(kind, label) of the next touch to this contact for ``deal_id``."""
    talked_at = next((i for i, t in enumerate(logged)
                      if t.step.outcome in CONVERSATION_OUTCOMES), None)
    if talked_at is None:
        return "ftc", f"FTC #{len(logged) + 1}"
    count = sum(1 for t in logged[talked_at + 1:] if t.deal_id == deal_id)
    return "follow_up", f"follow-up #{count + 1}"


def plan_next(ctx: Context, account: AccountFacts, contact: ContactFacts,
              logged: list[Logged], deal_id: int | None, end: int, stalled: bool) -> None:
    """The touch Ember would propose next; some are due today, some overdue."""
    rng = ctx.rng
    kind, label = next_label(logged, deal_id)
    gap = 5 if stalled else 2 + int(rng.random() * 6)
    offset = end - gap
    if logged:
        # A plan is caused by the last touch, so it falls on a later working day, never before it.
        offset = min(offset, logged[-1].step.offset - 1)
    if kind == "follow_up" and rng.random() < 0.4:
        minute = 8 * 60 + int(rng.random() * 45)  # 8-9 am works while qualifying
    else:
        minute = 16 * 60 + int(rng.random() * 50)  # late afternoon, the best window
    due = ctx.calendar.instant(contact.country, contact.tz, offset, minute)
    if kind == "follow_up" and contact.preferred:
        channel = _PLANNED_CHANNEL[PreferredChannel(contact.preferred)]
    else:
        channel = Channel.CALL if rng.random() < 0.7 else Channel.EMAIL
    last = logged[-1] if logged else None
    ctx.writer.add("planned_touches", {
        "contact_id": contact.id, "deal_id": deal_id, "rep_id": account.owner.id, "kind": kind,
        "channel": str(channel), "due_at": due, "label": label,
        "purpose": _purpose(ctx, kind, account),
        "reason": _reason(kind, label, last, stalled, contact.tz),
        "message_variant_id": _proposal(ctx, contact, str(channel), kind, label, stalled),
        "status": PlannedTouchStatus.PLANNED,
        "caused_by_touch_id": last.id if last else None,
        "created_at": last.step.instant if last else ctx.now,
    })


def _proposal(ctx: Context, contact: ContactFacts, channel: str, kind: str, label: str,
              stalled: bool) -> int | None:
    if not ctx.variant_ids:
        return None
    key = messages.proposed_variant(channel, kind, label, stalled, contact.received)
    return ctx.variant_ids.get(key) if key else None


def _purpose(ctx: Context, kind: str, account: AccountFacts) -> str:
    if kind == "ftc":
        return ctx.rng.choice((
            f"Get a first conversation about {account.problem}.",
            f"Reach the person behind {account.problem} and ask for fifteen minutes.",
            "Get a first conversation: one concrete reason to talk, easy to say no to.",
        ))
    return ctx.rng.choice((
        f"Reheat: recall {account.problem} and what was meant to happen since.",
        "Confirm the next step agreed on the last call and bring one new idea.",
        "Check the proposal reached the decision maker; offer a call with finance.",
        "Bring a customer story from their industry and ask about the timeline.",
    ))


_OUTCOME_WORDS = {
    Outcome.EMAIL_SENT: "an email with no reply yet", Outcome.VOICEMAIL: "a voicemail",
    Outcome.NO_ANSWER: "no answer", Outcome.GATEKEEPER: "a gatekeeper",
    Outcome.CONVERSATION: "a conversation", Outcome.MEETING_HELD: "a meeting",
    Outcome.EMAIL_REPLIED: "their email reply", Outcome.NO_SHOW: "a missed meeting",
    Outcome.NOT_NOW: "'not now, call back later'",
}


def _reason(kind: str, label: str, last: Logged | None, stalled: bool, tz: str) -> str:
    if last is None:
        return f"{label}: new lead, not contacted yet."
    when = last.step.instant.astimezone(zone(tz)).strftime("%a %d %b")  # the prospect's day
    what = _OUTCOME_WORDS.get(Outcome(last.step.outcome), last.step.outcome)
    if stalled:
        return f"{label}: quiet since {when} (last touch: {what}); nudge before the deal goes cold."
    if kind == "ftc":
        return f"{label}: no conversation yet; the last attempt on {when} got {what}."
    return f"{label}: last touch on {when} was {what}; keep the momentum."


def nurture(ctx: Context, contact: ContactFacts, said_no: datetime, dnc: bool) -> None:
    contact.row["status"] = (ContactStatus.DO_NOT_CONTACT if dnc else ContactStatus.NURTURE).value
    contact.row["updated_at"] = said_no
    if dnc:
        return
    ctx.writer.add("nurture_memberships", {
        "contact_id": contact.id, "reason": "said-no", "note": ctx.rng.choice(names.NURTURE_NOTES),
        "started_at": said_no, "ended_at": None, "ended_reason": None,
    })


def came_back(ctx: Context, contact: ContactFacts, said_no: datetime, reopened: datetime) -> None:
    """A contact who said no, sat on the nurture list, and was re-opened by an alert on a pricing-page visit."""
    ctx.writer.add("nurture_memberships", {
        "contact_id": contact.id, "reason": "said-no", "note": ctx.rng.choice(names.NURTURE_NOTES),
        "started_at": said_no, "ended_at": reopened, "ended_reason": "trigger",
    })
    visited = reopened - timedelta(minutes=4)
    url = SITE + "/pricing"
    message_id = str(uuid.UUID(int=ctx.rng.getrandbits(128), version=4))
    event_id = ctx.writer.add("inbound_events", {
        "source": "website", "external_id": message_id, "type": EventType.PAGE_VIEW.value,
        "email": contact.row["email"], "anonymous_id": None, "url": url, "contact_id": contact.id,
        "payload": {"type": "page", "name": "Pricing", "userId": contact.row["email"], "messageId": message_id,
                    "properties": {"url": url, "path": "/pricing", "title": "Pricing"},
                    "timestamp": visited.isoformat().replace("+00:00", "Z")},
        "occurred_at": visited, "received_at": visited + timedelta(seconds=2),
        "status": EventStatus.HANDLED.value, "handled_at": visited + timedelta(seconds=3),
    })
    ctx.writer.add("alerts", {
        "dedup_key": f"came-back:{contact.id}:{event_id}", "contact_id": contact.id,
        "rep_id": contact.row["owner_id"], "rule_id": ctx.pricing_rule_id, "event_id": event_id,
        "summary": what_happened(EventType.PAGE_VIEW.value, url, 1), "status": "delivered", "attempts": 1,
        "delivered_at": reopened, "seen_at": reopened + timedelta(minutes=20), "created_at": reopened,
    })


_PAGES = (("/pricing", "Pricing", 25), ("/demo", "Book a demo", 14),
          ("/case-studies/logistics-onboarding", "Case study: onboarding in two weeks", 12),
          ("/case-studies/monday-reporting", "Case study: the Monday report", 8),
          ("/blog/follow-up-cadence", "How many follow-ups is enough?", 20),
          ("/blog/handover-checklist", "The sales-to-onboarding handover", 21))
SITE = "https://www.harborlight.example"


def events_for(ctx: Context, contact: ContactFacts, warm: bool) -> None:
    """Website visits, newsletter sign-ups and webinar RSVPs, more of them for nurture contacts."""
    rng = ctx.rng
    if ctx.events_left <= 0 or rng.random() >= (0.6 if warm else 0.07):
        return
    for _ in range(1 + int(rng.random() * 4)):
        if ctx.events_left <= 0:
            return
        ctx.events_left -= 1
        _event(ctx, contact)


def _event(ctx: Context, contact: ContactFacts) -> None:
    rng = ctx.rng
    occurred = (ctx.now - timedelta(seconds=int(rng.random() * 60 * 86400))).replace(microsecond=0)
    message_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    anonymous = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    pick = rng.random()
    email = contact.row["email"]
    if pick < 0.7:
        path, title = _page(rng)
        source, kind, url = "website", EventType.PAGE_VIEW, SITE + path
        payload = {"type": "page", "name": title, "properties": {
            "url": url, "path": path, "title": title, "referrer": "https://www.google.com/"}}
    elif pick < 0.85:
        source, kind, url = "newsletter", EventType.NEWSLETTER_SUBSCRIBE, None
        payload = {"type": "track", "event": "Newsletter Subscribed",
                   "properties": {"list": "Revenue Ops Monthly"}}
    else:
        source, kind, url = "webinar", EventType.WEBINAR_RSVP, None
        payload = {"type": "track", "event": "Webinar Registered",
                   "properties": {"webinar": "Five follow-ups: what the data says"}}
    payload |= {"userId": email, "anonymousId": anonymous, "messageId": message_id,
                "timestamp": occurred.isoformat().replace("+00:00", "Z"),
                "context": {"traits": {"email": email}}}
    pending = occurred > ctx.now - timedelta(days=1)
    ctx.writer.add("inbound_events", {
        "source": source, "external_id": message_id, "type": kind.value, "email": email,
        "anonymous_id": anonymous, "url": url, "contact_id": contact.id, "payload": payload,
        "occurred_at": occurred, "received_at": occurred + timedelta(seconds=2),
        "status": (EventStatus.PENDING if pending else EventStatus.HANDLED).value,
        "handled_at": None if pending else occurred + timedelta(seconds=3),
    })


def _page(rng: Any) -> tuple[str, str]:
    total = sum(w for _, _, w in _PAGES)
    at = rng.random() * total
    for path, title, weight in _PAGES:
        at -= weight
        if at < 0:
            return path, title
    return _PAGES[-1][0], _PAGES[-1][1]
